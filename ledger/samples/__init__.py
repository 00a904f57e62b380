"""Sample data: the demo dataset and the bench's workload generator."""

"""The write side's rules and the application that records events."""

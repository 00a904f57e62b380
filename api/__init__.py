"""The REST API (FastAPI) over the ledger and its projections."""

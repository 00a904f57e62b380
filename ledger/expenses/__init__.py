"""Importing spend from an expense system's CSV export (``ledger import-expenses``)."""

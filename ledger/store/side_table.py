"""A table of the ledger's own beside the events, in the event store's database (tokens,
the access log): the same database on every node, reached through the store's connections."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from ledger.domain.application import LedgerApplication


class SideTable:
    """Base of the stores that keep one table in the event store's database."""

    def __init__(self, ledger: LedgerApplication, name: str) -> None:
        self._ledger = ledger  # keeps the store (and its connection pool) open
        self._datastore: Any = ledger.recorder.datastore  # type: ignore[attr-defined]
        self._postgres = ledger.settings.is_postgres
        self._table = f'"{self._datastore.schema}".{name}' if self._postgres else name

    @contextmanager
    def _cursor(self) -> Iterator[Any]:
        """A cursor in a transaction that commits when the block ends."""
        with self._datastore.transaction(commit=True) as cur:
            yield cur

    def _sql(self, statement: str) -> str:
        """``statement`` with the store's parameter marks (``?`` or ``%s``)."""
        return statement.replace("?", "%s") if self._postgres else statement

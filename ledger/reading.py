"""Reading the log back: records in position order, receipts of earlier events, the
tamper check.

Personal fields are opened with the subject keys that still exist (``[forgotten]``
once an erasure destroyed them), each page's keys read in one query.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, cast
from uuid import UUID

from eventsourcing.application import Application

from ledger.aggregates import LEDGER_TYPES, LedgerAggregate, topics_of
from ledger.chain import Verification, verify
from ledger.privacy import subject_of, unseal
from ledger.recorder import LedgerRecorderMixin
from ledger.records import EventRecord
from ledger.submission import Receipt


class LogReader(Application):
    """The reading half of :class:`~ledger.application.LedgerApplication`."""

    @property
    def ledger_recorder(self) -> LedgerRecorderMixin:
        """The recorder, with the chain and event-id queries."""
        assert isinstance(self.recorder, LedgerRecorderMixin)
        return self.recorder

    def read_records(self, after: int = 0, limit: int = 1000, *, types: Sequence[str] = (),
                     stream: str | None = None, chained: bool = True) -> list[EventRecord]:
        """Up to ``limit`` events after log position ``after``, in position order.

        ``types`` keeps only those event types; ``stream`` only one stream's events.
        ``chained=False`` skips reading the hash chain (``hash`` is then empty): the
        views, which never show it, read the log that way.
        """
        if stream is not None:
            page: Sequence[Any] = self.ledger_recorder.select_stream(UUID(stream), after, limit)
            if types:
                page = [n for n in page if n.topic in topics_of(types)]
        else:
            page = self.recorder.select_notifications(after + 1, limit, topics=topics_of(types))
        chain = self.ledger_recorder.chain_rows([n.id for n in page]) if chained else {}
        events = cast(list[LedgerAggregate.Event],
                      [self.mapper.to_domain_event(n) for n in page])
        types_of = [LEDGER_TYPES[type(e)] for e in events]
        subjects = [subject_of(t, e.data) for t, e in zip(types_of, events, strict=True)]
        keys = self.ledger_recorder.load_keys(sorted({s for s in subjects if s is not None}))
        records: list[EventRecord] = []
        ciphers: dict[bytes, Any] = {}
        for notification, event, event_type, subject in zip(page, events, types_of, subjects,
                                                            strict=True):
            row = chain.get(notification.id)
            data = unseal(event_type, event.data, keys.get(subject) if subject else None,
                          ciphers)
            records.append(EventRecord(
                position=notification.id, event_id=event.event_id,
                type=event_type, occurred_at=event.occurred_at,
                recorded_at=event.timestamp, recorded_by=event.recorded_by,
                stream_id=str(event.originator_id), version=event.originator_version,
                data=data, hash=row.chain_hash if row else "",
            ))
        return records

    def read_for_views(self, after: int, limit: int) -> list[EventRecord]:
        """:meth:`read_records` as the views read the log: without the hash chain."""
        return self.read_records(after, limit, chained=False)

    def iter_records(self, after: int = 0, page: int = 1000, *,
                     chained: bool = True) -> Iterator[EventRecord]:
        """Every event after ``after`` in position order, read page by page."""
        while records := self.read_records(after, page, chained=chained):
            yield from records
            after = records[-1].position

    def receipts_at(self, positions: Sequence[int]) -> dict[int, Receipt]:
        """The receipts of the events at ``positions`` (for idempotent replays)."""
        receipts = {}
        for position in positions:
            record = self.read_records(position - 1, 1)[0]
            receipts[position] = Receipt(
                event_id=record.event_id, type=record.type, position=record.position,
                stream_id=record.stream_id, version=record.version,
                occurred_at=record.occurred_at, recorded_at=record.recorded_at, hash=record.hash)
        return receipts

    def head_position(self) -> int:
        """The position of the newest event in the log (0 when empty)."""
        return self.recorder.max_notification_id() or 0

    def verify(self, head: str | None = None) -> Verification:
        """Recompute the hash chain over the whole log (SPEC §7.2)."""
        recorder = self.ledger_recorder
        return verify(recorder.iter_stored(), recorder.iter_chain(), head=head)

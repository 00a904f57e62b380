"""Reading the log back: records in position order, receipts of earlier events, the
tamper check.

Personal fields are opened with the subject keys that still exist (``[forgotten]``
once an erasure destroyed them), each page's keys read in one query.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Any, NamedTuple, cast
from uuid import UUID

import orjson
from eventsourcing.application import Application
from eventsourcing.persistence import DatetimeAsISO, JSONTranscoder, StoredEvent
from eventsourcing.utils import get_topic

from ledger.aggregates import LEDGER_TYPES, LedgerAggregate, topics_of
from ledger.contract.records import EventRecord
from ledger.domain.submission import Receipt
from ledger.store.chain import StoredRow, Verification, verify
from ledger.store.integrity import check_companions, erased_subjects
from ledger.store.privacy import subject_of, unseal
from ledger.store.recorder import LedgerRecorderMixin
from ledger.store.recorder_sqlite import SQLiteLedgerRecorder

_stdlib_object = json.JSONDecoder().decode


def _json_object(state: bytes) -> Any:
    """A stored state's JSON, decoded by orjson (about 2.5 times as fast) where it gives
    what the standard library's decoder gives: that one decodes what orjson refuses (lone
    surrogates, ``NaN``) and any state orjson finds a float in, which may be an integer
    beyond 64 bits (orjson makes those floats; a ledger state holds no floats at all)."""
    try:
        fields = orjson.loads(state)
    except orjson.JSONDecodeError:
        pass
    else:
        if not _has_float(fields):
            return fields
    return _stdlib_object(state.decode())


_NESTED = (dict, list, float)


def _has_float(value: Any) -> bool:
    """Whether a decoded JSON value holds a float anywhere."""
    if type(value) is float:
        return True
    inner = value.values() if type(value) is dict else value if type(value) is list else ()
    return any(type(item) in _NESTED and _has_float(item) for item in inner)


_TYPE_OF_TOPIC = {get_topic(cls): name for cls, name in LEDGER_TYPES.items()}


class _Decoded(NamedTuple):
    """What a record takes from its stored event's state."""

    type: str
    event_id: str
    occurred_at: datetime
    recorded_at: datetime
    recorded_by: str
    data: dict[str, Any]


def _stream_text(stream: UUID | str) -> str:
    """A stream id as ``str(UUID)`` spells it, from a UUID or its 32 hex digits."""
    if isinstance(stream, UUID) or len(stream) != 32:
        return str(stream if isinstance(stream, UUID) else UUID(stream))
    return f"{stream[:8]}-{stream[8:12]}-{stream[12:16]}-{stream[16:20]}-{stream[20:]}"


@dataclass(frozen=True)
class SQLiteLog:
    """Where an SQLite event store keeps what a bulk rebuild may read with SQL itself:
    the database file, its events table (``rowid`` is the log position, ``state`` the
    library's plain JSON) and the table of subject keys that open personal fields."""

    path: str
    events_table: str
    keys_table: str = "ledger_subject_keys"


class LogReader(Application):
    """The reading half of :class:`~ledger.domain.application.LedgerApplication`."""

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
        rows: Sequence[StoredRow]
        if stream is None:
            rows = self.ledger_recorder.stored_page(after, limit, topics_of(types))
        else:
            page: Sequence[Any] = self.ledger_recorder.select_stream(UUID(stream), after, limit)
            if types:
                page = [n for n in page if n.topic in topics_of(types)]
            rows = [StoredRow(n.id, n.originator_id, n.originator_version, n.topic, n.state)
                    for n in page]
        chain = self.ledger_recorder.chain_rows([r.position for r in rows]) if chained else {}
        events = [self._decoded(row) for row in rows]
        subjects = [subject_of(e.type, e.data) for e in events]
        keys = self.ledger_recorder.load_keys(sorted({s for s in subjects if s is not None}))
        records: list[EventRecord] = []
        ciphers: dict[bytes, Any] = {}
        for row, event, subject in zip(rows, events, subjects, strict=True):
            chained_row = chain.get(row.position)
            data = unseal(event.type, event.data, keys.get(subject) if subject else None,
                          ciphers)
            records.append(EventRecord(
                position=row.position, event_id=event.event_id, type=event.type,
                occurred_at=event.occurred_at, recorded_at=event.recorded_at,
                recorded_by=event.recorded_by, stream_id=_stream_text(row.originator_id),
                version=row.version, data=data,
                hash=chained_row.chain_hash if chained_row else "",
            ))
        return records

    def _decoded(self, row: StoredRow) -> _Decoded:
        """The stored event's fields, decoded as the library's mapper would.

        The mapper's JSON decoding calls back into Python for every object of the state
        to look for its type markers; a ledger event has exactly two, its ``timestamp``
        and ``occurred_at``. When the stored bytes hold just those two (and the mapper
        neither decrypts, decompresses nor upcasts), plain C decoding and two
        ``fromisoformat`` give the same fields, and reading the log takes about half as
        long. Anything else goes through the mapper.
        """
        state = row.state if isinstance(row.state, bytes) else bytes(row.state)
        event_type = _TYPE_OF_TOPIC.get(row.topic)
        if self._plain_states and event_type and state.count(b'"_type_"') == 2:
            fields = _json_object(state)
            recorded, occurred = fields.get("timestamp"), fields.get("occurred_at")
            if (type(recorded) is dict and recorded.get("_type_") == "datetime_iso"
                    and type(occurred) is dict and occurred.get("_type_") == "datetime_iso"
                    and "class_version" not in fields):
                return _Decoded(event_type, fields["event_id"],
                                datetime.fromisoformat(occurred["_data_"]),
                                datetime.fromisoformat(recorded["_data_"]),
                                fields["recorded_by"], fields["data"])
        stream = row.originator_id
        event = cast(LedgerAggregate.Event, self.mapper.to_domain_event(StoredEvent(
            originator_id=stream if isinstance(stream, UUID) else UUID(stream),
            originator_version=row.version, topic=row.topic, state=state)))
        return _Decoded(LEDGER_TYPES[type(event)], event.event_id, event.occurred_at,
                        event.timestamp, event.recorded_by, event.data)

    @cached_property
    def _plain_states(self) -> bool:
        """Whether stored states are the library's plain JSON (no cipher, no compressor)
        with its ISO transcoding of datetimes."""
        mapper = self.mapper
        return (mapper.cipher is None and mapper.compressor is None
                and isinstance(mapper.transcoder, JSONTranscoder)
                and isinstance(mapper.transcoder.names.get("datetime_iso"), DatetimeAsISO))

    def read_for_views(self, after: int, limit: int) -> list[EventRecord]:
        """:meth:`read_records` as the views read the log: without the hash chain."""
        return self.read_records(after, limit, chained=False)

    def iter_records(self, after: int = 0, page: int = 1000, *, chained: bool = True,
                     types: Sequence[str] = ()) -> Iterator[EventRecord]:
        """Every event after ``after`` in position order (only ``types``, when given),
        read page by page."""
        while records := self.read_records(after, page, chained=chained, types=types):
            yield from records
            after = records[-1].position

    def sqlite_log(self) -> SQLiteLog | None:
        """The store's file and tables when it is an SQLite file whose states are plain
        JSON (no cipher or compressor of the library's), else None."""
        recorder = self.recorder
        if not isinstance(recorder, SQLiteLedgerRecorder) or not self._plain_states:
            return None
        pool = recorder.datastore.pool
        if pool.is_sqlite_memory_mode:
            return None
        return SQLiteLog(pool.db_name, recorder.events_table_name)

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
        """Recompute the hash chain over the whole log (SPEC §7.2), and check each event's
        idempotency digest and personal-data key (:mod:`ledger.store.integrity`)."""
        recorder = self.ledger_recorder
        result = verify(recorder.iter_stored(), recorder.iter_chain(), head=head)
        erased = erased_subjects(recorder, lambda after: self.read_records(
            after, 1000, types=["stakeholder.forgotten"], chained=False))
        check_companions(recorder, self._decoded, erased, result)
        result.problems.sort(key=lambda p: (p["position"] is None, p["position"] or 0))
        return result

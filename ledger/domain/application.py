"""The ledger's event-sourced application: the write API over the event store.

``record`` / ``record_batch`` validate envelopes, enforce the state rules against a
cached write model, and save the resulting aggregate events in one transaction
together with their hash-chain rows and event-id index (see :mod:`ledger.store.recorder`).
Optimistic concurrency comes from the store's unique (stream, version) key: when
another writer got there first the batch is re-checked against the new state.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, Literal, cast
from uuid import uuid4

from eventsourcing.persistence import (
    IntegrityError,
    InternalError,
    PersistenceError,
    ProgrammingError,
    StoredEvent,
    Transcoder,
)
from eventsourcing.utils import get_topic

from ledger.aggregates import LEDGER_TYPES, LedgerAggregate, stream_id
from ledger.config import Settings
from ledger.contract.schemas import ADMIN_ONLY_TYPES, SCOPE_ALL_TYPES
from ledger.contract.validation import parse_envelope
from ledger.domain.reach import EVERYWHERE, Reach
from ledger.domain.rules import check, streams_read
from ledger.domain.submission import (
    CANONICAL_UUID,
    MAX_BATCH,
    Principal,
    Receipt,
    Submitted,
    digest_of,
    dump_data,
    redacted_digest,
)
from ledger.domain.write_model import WriteModel, copied, fold, new_event
from ledger.errors import (
    BatchTooLarge,
    IdempotencyConflict,
    LedgerError,
    NotAllowed,
    StorageConfigError,
)
from ledger.store.faults import as_fault, is_disk_full, is_storage_fault, refresh_connections
from ledger.store.privacy import (
    REDACTED_DIGEST,
    KeyChanges,
    personal_fields,
    seal,
    subject_of,
)
from ledger.store.reading import LogReader
from ledger.store.recorder import CompanionRows, StreamsChanged
from ledger.store.transcoder import BatchMapping, LedgerTranscoder

_NEW_SUBJECT_TYPES = ("stakeholder.registered", "engagement.recorded")
Verdict = LedgerError | Literal["replay"] | None
"""What a dry run says of one event: refused (the error), already recorded, or recordable."""
"""Event types that start a new key subject (the others seal under a stored key)."""

_UNREAD: Any = object()
"""``get``'s marker for a stream the batch did not preload."""


def _creating_tables_too(exc: BaseException) -> bool:
    """Whether another process is creating the same tables right now: PostgreSQL's
    ``CREATE ... IF NOT EXISTS`` then fails on a duplicate catalog row or "already exists"."""
    return isinstance(exc, (IntegrityError, InternalError)) or (
        isinstance(exc, ProgrammingError) and "already exists" in str(exc))


class _Raced(Exception):
    """Another writer recorded part of this batch while it was being checked."""


class LedgerApplication(LogReader):
    """Records ledger events in the ``eventsourcing`` event store (SQLite or PostgreSQL)."""

    name = "ledger"

    def __init__(
        self,
        settings: Settings,
        *,
        clock: Callable[[], datetime] | None = None,
        cache_size: int = 200_000,
    ) -> None:
        for attempt in range(5):
            try:
                super().__init__(env=settings.event_store_env())
                self.ledger_recorder.redact = self._redacted_digest
                self.ledger_recorder.shred_earlier_erasures()
                self.ledger_recorder.index_earlier_teams()
                break
            except (PersistenceError, OSError) as exc:
                if _creating_tables_too(exc) and attempt < 4:  # theirs will do: try again
                    time.sleep(0.1 * (attempt + 1))
                    continue
                if isinstance(exc, (IntegrityError, InternalError)):
                    raise
                raise StorageConfigError(
                    f"LEDGER_DATABASE_URL: cannot open the event store: {exc}".splitlines()[0]
                ) from None
        self.settings = settings
        self.clock = clock or (lambda: datetime.now(UTC))
        self.model = WriteModel(self.ledger_recorder, self.mapper, cache_size)
        self._lock = threading.Lock()

    def _redacted_digest(self, stored: StoredEvent) -> str:
        """The redacted digest of a stored event, decoded as the store holds it (its
        personal fields sealed: they are left out either way)."""
        event = cast(LedgerAggregate.Event, self.mapper.to_domain_event(stored))
        return redacted_digest(LEDGER_TYPES[type(event)], event.occurred_at, event.data)

    def construct_transcoder(self) -> Transcoder:
        """The library's JSON transcoding with its encoder built once (ledger.store.transcoder)."""
        transcoder = LedgerTranscoder()
        self.register_transcodings(transcoder)
        return transcoder

    # --- writing -----------------------------------------------------------------------

    def reach_of(self, principal: Principal) -> Reach:
        """The accounts ``principal`` reaches now (SPEC §5.5), read from the event store's
        own team index, which the insert of every ``account.team_set`` updates in its
        transaction: a handover moves access on the very next request of every process."""
        if principal.scope == "all":
            return EVERYWHERE
        return Reach(self.ledger_recorder.team_accounts(principal.name))

    def account_of(self, stakeholder_id: str) -> str | None:
        """The account of a registered stakeholder (None: no such person), read from the
        person's stream (an account id is never sealed)."""
        sid = stream_id("stakeholder", stakeholder_id)
        events = self.ledger_recorder.select_streams([sid]).get(sid)
        if not events:
            return None
        first = cast(LedgerAggregate.Event, self.mapper.to_domain_event(events[0]))
        return str(first.data["account_id"])

    def record(self, raw: Any, principal: Principal, reach: Reach = EVERYWHERE) -> Receipt:
        """Record one event; an identical resubmission returns the original receipt.
        Ids of accounts outside ``reach`` (and of their people, deals and engagements)
        are refused as unknown."""
        return self._record_events([raw], principal, reach, batch=False)[0]

    def record_batch(self, raws: Sequence[Any], principal: Principal,
                     reach: Reach = EVERYWHERE) -> list[Receipt]:
        """Record up to 10,000 events atomically; an error names the failing index."""
        if len(raws) > MAX_BATCH:
            raise BatchTooLarge(f"a batch holds at most {MAX_BATCH} events, got {len(raws)}",
                                loc=["events"])
        return self._record_events(list(raws), principal, reach, batch=True)

    def check_batch(self, raws: Sequence[Any], principal: Principal,
                    reach: Reach = EVERYWHERE) -> list[Verdict]:
        """A dry run of :meth:`record_batch` that records nothing and goes on past errors:
        for each event, None (it would be recorded), ``"replay"`` (it already is), or the
        error refusing it. Each event is checked against the ledger and the events before
        it that pass, as recording them one after another would."""
        if principal.role not in ("recorder", "admin"):
            raise NotAllowed(f"role {principal.role!r} cannot record events")
        now = self.clock().astimezone(UTC)
        verdicts: list[Verdict] = [None] * len(raws)
        valid: list[Submitted] = []
        indexes: list[int] = []
        for i, raw in enumerate(raws):
            try:
                item = self._submitted(raw, principal, now, i, False)
            except LedgerError as exc:
                verdicts[i] = exc
                continue
            item.digest = digest_of(item.type, item.occurred_text, item.data)
            valid.append(item)
            indexes.append(i)
        problems: dict[int, Verdict] = {}
        with self._lock:
            self._record_once(valid, principal, reach, now, False, problems=problems)
        for j, verdict in problems.items():
            verdicts[indexes[j]] = verdict
        return verdicts

    def _record_events(self, raws: list[Any], principal: Principal, reach: Reach, *,
                       batch: bool) -> list[Receipt]:
        if principal.role not in ("recorder", "admin"):
            raise NotAllowed(f"role {principal.role!r} cannot record events")
        now = self.clock().astimezone(UTC)
        # Phase by phase (parse all, then digest all) rather than event by event: each
        # step's code stays hot, which measured a few per cent faster.
        submitted = [self._submitted(raw, principal, now, i, batch) for i, raw in enumerate(raws)]
        for item in submitted:
            item.digest = digest_of(item.type, item.occurred_text, item.data)
        with self._lock:
            return self._storing(submitted, principal, reach, now, batch)

    def _storing(self, submitted: list[Submitted], principal: Principal, reach: Reach,
                 now: datetime, batch: bool) -> list[Receipt]:
        """Record, retrying once on a fresh connection when the store's connection failed;
        a fault that persists is a :class:`~ledger.errors.StorageFault`.

        The retry is safe: the events keep their event_ids, so any that the failed attempt
        did commit come back as replays, and a batch is one transaction."""
        for attempt in (1, 2):
            try:
                return self._record_checked(submitted, principal, reach, now, batch)
            except PersistenceError as exc:
                if isinstance(exc, IntegrityError) or not is_storage_fault(exc):
                    raise
                self.model.reset()
                if attempt == 2 or is_disk_full(exc):
                    raise as_fault(exc) from exc
                refresh_connections(self.recorder)
        raise AssertionError("unreachable")

    def _record_checked(self, submitted: list[Submitted], principal: Principal, reach: Reach,
                        now: datetime, batch: bool) -> list[Receipt]:
        for _attempt in range(50):
            try:
                return self._record_once(submitted, principal, reach, now, batch)
            except (IntegrityError, _Raced, StreamsChanged):
                # Another writer took a stream version or an event_id first: re-check.
                self.model.reset()
        raise LedgerError("the event store stayed too busy to record the events; retry")

    def _submitted(self, raw: Any, principal: Principal, now: datetime, index: int,
                   batch: bool) -> Submitted:
        """The validated event, its digest still to be computed."""
        try:
            envelope = parse_envelope(raw, now=now)
            event_type = envelope.type  # type: ignore[attr-defined]
            if event_type in ADMIN_ONLY_TYPES and principal.role != "admin":
                raise NotAllowed(f"{event_type} may be recorded by an admin only", loc=["type"])
            if event_type in SCOPE_ALL_TYPES and principal.scope != "all":
                raise NotAllowed(f"{event_type} needs a token of scope 'all'", loc=["type"])
        except LedgerError as exc:
            raise exc.at_index(index) if batch else exc from None
        data = dump_data(envelope)
        given = raw.get("event_id") if isinstance(raw, dict) else None
        # A canonical UUID string is its own str(UUID(...)); anything else is normalised.
        event_id = given if type(given) is str and CANONICAL_UUID.fullmatch(given) else str(
            envelope.event_id or uuid4())
        occurred_at = envelope.occurred_at
        return Submitted(event_type, occurred_at, occurred_at.isoformat(), event_id, data, "")

    def _record_once(self, submitted: list[Submitted], principal: Principal, reach: Reach,
                     now: datetime, batch: bool, problems: dict[int, Verdict] | None = None
                     ) -> list[Receipt]:
        """Check and store the events; with ``problems`` (a dry run) note each refusal or
        replay there by index, go on with the next event, and store nothing."""
        known = self.ledger_recorder.lookup_event_ids([s.event_id for s in submitted])
        first_in_batch: dict[str, int] = {}
        fresh: list[int] = []
        for i, item in enumerate(submitted):
            earlier = known.get(item.event_id)
            twin = first_in_batch.get(item.event_id)
            digest = earlier[0] if earlier else submitted[twin].digest if twin is not None else None
            if digest is not None and digest.startswith(REDACTED_DIGEST):
                # Shredded by an erasure: only the content without personal fields is
                # left to compare (and those fields can no longer be read anyway).
                item_digest = redacted_digest(item.type, item.occurred_at, item.data)
            else:
                item_digest = item.digest
            if digest is not None and digest != item_digest:
                error = IdempotencyConflict(
                    f"event_id {item.event_id} was already used for different content",
                    loc=["event_id"])
                if problems is not None:
                    problems[i] = error
                    continue
                raise error.at_index(i) if batch else error
            if digest is not None and problems is not None:
                problems[i] = "replay"
            if digest is None:
                first_in_batch[item.event_id] = i
                fresh.append(i)
        self.model.catch_up()
        seen = self.model.position
        # Every stream the batch's rules will read, by "kind:key" (a string: no object for
        # the garbage collector to track), from the cache or else in one query; a stream it
        # does not return does not exist (we hold the lock and just caught up; a concurrent
        # creator makes the insert raise IntegrityError and we re-check). Aggregates this
        # batch changes are written back into ``streams``.
        streams = self.model.preload(
            {f"{kind}:{key}": stream_id(kind, key) for i in fresh
             for kind, key in streams_read(submitted[i].type, submitted[i].data)})
        pending: dict[str, LedgerAggregate] = {}

        def get(cls: type[LedgerAggregate], key: str) -> LedgerAggregate | None:
            name = f"{cls.kind}:{key}"
            found = streams.get(name, _UNREAD)
            if found is _UNREAD:  # not named by streams_read (it names them all)
                found = streams[name] = self.model.get(stream_id(cls.kind, key))
            return found if isinstance(found, cls) else None

        stored: list[StoredEvent] = []
        # Each event is mapped as soon as it is made, so that a batch never holds all its
        # event objects at once (fewer live objects for the garbage collector to walk).
        mapping = BatchMapping(self.mapper, now)
        keys = KeyChanges()
        known_keys = self._stored_keys([submitted[i] for i in fresh]) if problems is None else {}
        ciphers: dict[bytes, Any] = {}
        for i in fresh:
            item = submitted[i]
            try:
                target = check(item, item.data, get, reach)
            except LedgerError as exc:
                if problems is not None:
                    problems[i] = exc
                    continue
                if self.ledger_recorder.lookup_event_ids([submitted[j].event_id for j in fresh]):
                    # A concurrent writer recorded one of these very events since we looked:
                    # start over, so it becomes an idempotent replay rather than a conflict.
                    raise _Raced from None
                raise exc.at_index(i) if batch else exc from None
            # Sealed in the order the batch stores its events (new keys and erasures follow
            # it), each right before it is stored: a batch never holds all its sealed copies.
            # A dry run stores nothing and folds the plain data: no rule reads a personal field.
            stored_data = item.data if problems is not None else self._seal(
                item, len(stored), keys, known_keys, ciphers)
            name = f"{target.aggregate.kind}:{target.key}"
            sid = stream_id(target.aggregate.kind, target.key)
            current = pending.get(name) or (copied(target.current) if target.current else None)
            # The event's fields in their order (a new stream's first event names its
            # aggregate's topic after the timestamp).
            fields: dict[str, Any] = {
                "originator_id": sid, "originator_version": current.version + 1 if current else 1,
                "timestamp": now}
            if current is None:
                fields["originator_topic"] = get_topic(target.aggregate)
            fields.update(event_id=item.event_id, occurred_at=item.occurred_at,
                          data=stored_data, recorded_by=principal.name)
            event = new_event(target.event_class, fields)
            mutated = fold(event, current)
            pending[name] = streams[name] = mutated
            if problems is None:
                stored.append(mapping.stored(event, item.occurred_at, item.occurred_text))
        if problems is not None:
            return []  # a dry run: checked, nothing stored
        # Streams the rules read but this batch does not write: another writer adding to
        # one of them since ``seen`` (a departure while we record an engagement naming the
        # person) makes the insert fail, and the batch is checked again. The streams we
        # write are guarded by their (stream, version) key.
        read = [a.id for name, a in streams.items() if a is not None and name not in pending]
        companions = CompanionRows(
            event_ids=[submitted[i].event_id for i in fresh],
            digests=[submitted[i].digest for i in fresh],
            keys=keys, read_after=seen, read_streams=read)
        positions = self._insert(stored, companions) if stored else []
        hashes = companions.chain_hashes
        for aggregate in pending.values():
            self.model.remember(aggregate.id, aggregate)
        self.model.advance(positions)
        new = {submitted[i].event_id: self._receipt(submitted[i], s, p, h, now)
               for i, s, p, h in zip(fresh, stored, positions, hashes, strict=True)}
        return self._receipts(submitted, known, new)

    def _seal(self, item: Submitted, index: int, keys: KeyChanges,
              known: dict[str, bytes | None], ciphers: dict[bytes, Any]) -> dict[str, Any]:
        """Encrypt the event's personal fields (it is the ``index``-th event the batch
        stores); note new keys, links and erasures."""
        event_type, data = item.type, item.data
        if event_type == "engagement.recorded":
            keys.link(data["participants"], data["engagement_id"])
        elif event_type == "engagement.corrected" and "participants" in data["changes"]:
            keys.link(data["changes"]["participants"] or [], data["engagement_id"])
        subject = subject_of(event_type, data)
        if subject is None:
            return data
        found = personal_fields(event_type, data)
        if event_type in _NEW_SUBJECT_TYPES:
            if not (found[0] or found[1]):
                # Nothing to seal (an engagement without location or notes): its subject
                # gets a key with its first text, as after an erasure, not a key to store
                # for nothing.
                return data
            key = keys.new_key(subject)
        else:
            if subject not in known:
                known.update(self.ledger_recorder.load_keys([subject]))
            # None when shredded with a forgotten participant: new text takes a new key.
            key = keys.key_for(subject, known.get(subject))
        sealed = seal(event_type, data, key, ciphers, keys.randomness, found)
        if event_type == "stakeholder.forgotten":  # its own reason is shredded with her
            keys.erase(data["stakeholder_id"], index,
                       self.ledger_recorder.linked_subjects(data["stakeholder_id"]))
        return sealed

    def _stored_keys(self, items: list[Submitted]) -> dict[str, bytes | None]:
        """The stored keys of every subject ``_seal`` may need, in one query (None: none)."""
        subjects = {subject_of(item.type, item.data)
                    for item in items if item.type not in _NEW_SUBJECT_TYPES}
        subjects.discard(None)
        known: dict[str, bytes | None] = dict.fromkeys(subjects)  # type: ignore[arg-type]
        if known:
            known.update(self.ledger_recorder.load_keys(sorted(known)))
        return known

    def _receipts(self, submitted: list[Submitted], known: dict[str, tuple[str, int]],
                  new: dict[str, Receipt]) -> list[Receipt]:
        if len(new) == len(submitted):  # every event new, none twice: ``new`` is in order
            return list(new.values())
        old = self.receipts_at([known[s.event_id][1] for s in submitted if s.event_id in known])
        by_id = {**{r.event_id: r for r in old.values()}, **new}
        receipts, issued = [], set()
        for item in submitted:
            receipt = by_id[item.event_id]
            if item.event_id in new and item.event_id not in issued:
                issued.add(item.event_id)
                receipts.append(receipt)
            else:  # a resubmission, earlier or within this batch: the original receipt
                receipts.append(replace(receipt, replayed=True))
        return receipts

    @staticmethod
    def _receipt(item: Submitted, stored: StoredEvent, position: int, chain_hash: str,
                 recorded_at: datetime) -> Receipt:
        # Positional: a thousand receipts a batch, and keywords cost a third more.
        return Receipt(item.event_id, item.type, position, str(stored.originator_id),
                       stored.originator_version, item.occurred_at, recorded_at, chain_hash)

    def _insert(self, stored: list[StoredEvent], companions: CompanionRows) -> list[int]:
        """Insert mapped events in one transaction (with the recorder's chain, id and key
        rows) and return their log positions: what ``Application.save`` does for them,
        without its per-object runtime ``Protocol`` checks (~4 % of ingest) and the
        library's per-event ``Recording`` objects. No snapshots, aggregate cache or
        ``_notify`` hook are configured, so nothing else of ``save`` applies."""
        positions = self.recorder.insert_events(stored, companions=companions)
        assert positions is not None and len(positions) == len(stored)
        return list(positions)

"""Application recorders that keep the hash chain and the event-id index with the events.

Both tables are written inside the library's own insert transaction, after the events
have taken the store's write lock (SQLite's database lock; PostgreSQL's exclusive table
lock), so several writer processes extend one chain and a duplicate ``event_id``
fails the whole transaction.

This module is the front door and holds what both backends share: the queries the
application relies on (:class:`LedgerRecorderMixin`), :class:`StreamsChanged`, the chain
step and the small helpers of the chain, id and erasure rows. Each backend's recorder and
factory live in :mod:`ledger.store.recorder_sqlite` and :mod:`ledger.store.recorder_postgres`, which
the settings name as the event store's ``PERSISTENCE_MODULE`` (:mod:`ledger.config`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Notification, StoredEvent

from ledger.aggregates import topics_of
from ledger.store.chain import GENESIS, ChainRow, StoredRow, extend
from ledger.store.privacy import PERSONAL_TYPES, KeyChanges

PAGE = 2000
PERSONAL_TOPICS = tuple(topics_of(PERSONAL_TYPES))
"""Topics of the stored events whose idempotency digest an erasure redacts."""
_FORGOTTEN_TOPIC = topics_of(["stakeholder.forgotten"])[0]
_SHRED_DIGESTS = "2026-11-27 erasures destroy idempotency digests"
"""The name under which :meth:`LedgerRecorderMixin.shred_earlier_erasures` notes its run."""
_TEAM_TOPIC = topics_of(["account.team_set"])[0]
_INDEX_TEAMS = "2026-12-03 account teams indexed"
"""The name under which :meth:`LedgerRecorderMixin.index_earlier_teams` notes its run."""


@dataclass(frozen=True)
class TeamRow:
    """An account's team as one stored ``account.team_set`` sets it (SPEC §3.2)."""

    account_id: str
    owner: str
    members: tuple[str, ...]
    occurred_at: str
    """Valid time as fixed-width UTC text, so that text order is time order."""
    position: int

    def employees(self) -> list[tuple[str, str]]:
        """(employee, account_id) of everyone on the team, the owner first."""
        return [(employee, self.account_id)
                for employee in dict.fromkeys((self.owner, *self.members))]


def team_row(position: int, state: bytes) -> TeamRow:
    """The team a stored ``account.team_set`` sets (its state is plain JSON: an account's
    events carry no personal fields to seal)."""
    fields = json.loads(bytes(state))
    data = fields["data"]
    occurred = datetime.fromisoformat(fields["occurred_at"]["_data_"]).astimezone(UTC)
    return TeamRow(data["account_id"], data["owner"], tuple(data.get("members") or ()),
                   occurred.strftime("%Y-%m-%dT%H:%M:%S.%fZ"), position)


def team_rows(ids: Sequence[int], stored_events: Sequence[StoredEvent]) -> list[TeamRow]:
    """The teams set by the events just inserted at ``ids``, in position order."""
    return [team_row(position, stored.state) for position, stored in
            zip(ids, stored_events, strict=True) if stored.topic == _TEAM_TOPIC]


def _erased(state: bytes) -> str:
    """The stakeholder id of a stored ``stakeholder.forgotten`` (plain JSON, not sealed)."""
    return str(json.loads(bytes(state))["data"]["stakeholder_id"])


class StreamsChanged(Exception):
    """A stream the writer's rules read got a new event after the writer's view of the log
    (:attr:`CompanionRows.read_streams`): the insert is rolled back and the writer must check
    again."""


@dataclass
class CompanionRows:
    """What the ledger writes in the events' own insert transaction, besides the events.

    The application hands it to the recorder as ``insert_events(stored, companions=...)``
    (the library passes keyword arguments through to the insert); the recorder fills in
    :attr:`chain_hashes`.
    """

    event_ids: Sequence[str] = ()
    """The idempotency key of each event, in insert order."""
    digests: Sequence[str] = ()
    """The content digest of each event, in insert order."""
    keys: KeyChanges | None = None
    """New subject keys, links and erasures to write (None: none)."""
    read_after: int = 0
    """The log position the writer's rules saw."""
    read_streams: Sequence[UUID] = ()
    """Streams the rules read but the batch does not write: a newer event in any of them
    since :attr:`read_after` raises :class:`StreamsChanged`."""
    chain_hashes: list[str] = field(default_factory=list)
    """Out: the chain hash of each inserted event, filled in by the recorder."""

    def id_rows(self, positions: Sequence[int]) -> Iterator[tuple[str, str, int]]:
        """(event_id, content_digest, position) rows, made as they are consumed."""
        return zip(self.event_ids, self.digests, positions, strict=False)


def companions_of(kwargs: dict[str, Any]) -> CompanionRows:
    """The :class:`CompanionRows` an insert was given (none: nothing besides the events)."""
    rows = kwargs.get("companions")
    return rows if isinstance(rows, CompanionRows) else CompanionRows()


class LedgerRecorderMixin:
    """Queries on the chain and id index shared by both backends."""

    redact: Callable[[StoredEvent], str] | None = None
    """The redacted digest of a stored event (set by the application, which can decode
    it): what an erasure writes over the idempotency digest of each event it shreds."""

    def _redacted(self, rows: Sequence[tuple[str, StoredEvent]]) -> list[tuple[str, str]]:
        """(redacted digest, event_id) of (event_id, stored event) rows."""
        if self.redact is None:
            raise RuntimeError("an erasure needs the application's redact() to be set")
        return [(self.redact(stored), event_id) for event_id, stored in rows]

    def lookup_event_ids(self, event_ids: Sequence[str]) -> dict[str, tuple[str, int]]:
        """Map each already-recorded event_id to (content digest, position)."""
        raise NotImplementedError

    def chain_rows(self, positions: Sequence[int]) -> dict[int, ChainRow]:
        """The chain rows at the given positions."""
        raise NotImplementedError

    def iter_chain(self) -> Iterator[ChainRow]:
        """Every chain row in position order, read page by page."""
        return _pages(self._chain_page)

    def iter_stored(self) -> Iterator[StoredRow]:
        """Every stored event in position order, read page by page."""
        return _pages(self.stored_page)

    def _chain_page(self, after: int) -> list[ChainRow]:
        """Up to ``PAGE`` chain rows after position ``after``."""
        raise NotImplementedError

    def stored_page(self, after: int, limit: int = PAGE,
                    topics: Sequence[str] = ()) -> list[StoredRow]:
        """Up to ``limit`` stored events after position ``after`` (only those of
        ``topics``, when given), as raw rows with the stream id in hex: the library's
        notifications would turn every stream id into a ``UUID`` that readers turn
        straight back into text (a third of the time ``verify`` took)."""
        raise NotImplementedError

    def select_stream(self, stream: UUID, after: int, limit: int) -> list[Notification]:
        """Up to ``limit`` events of one stream after log position ``after``."""
        raise NotImplementedError

    def load_keys(self, subjects: Sequence[str]) -> dict[str, bytes]:
        """The personal-data keys of the given subjects that still exist."""
        raise NotImplementedError

    def linked_subjects(self, stakeholder_id: str) -> list[str]:
        """The engagement subjects whose text an erasure of the person shreds."""
        raise NotImplementedError

    def shred_earlier_erasures(self) -> int:
        """Once per store: redact the idempotency digests that erasures recorded before
        erasures redacted them left in full. Returns how many erasures it went over (0
        when it ran before)."""
        if self._migrated(_SHRED_DIGESTS):  # a read: opening a store takes no write lock
            return 0
        with self.datastore.transaction(commit=True) as c:  # type: ignore[attr-defined]
            if not self._note_migration(c, _SHRED_DIGESTS):
                return 0
            erasures = [(_erased(state), position)
                        for position, state in self._stored_of_topic(c, _FORGOTTEN_TOPIC)]
            for stakeholder_id, position in erasures:
                self._shred(c, stakeholder_id, position)
            return len(erasures)

    def index_earlier_teams(self) -> int:
        """Once per store: index the teams of ``account.team_set`` events recorded before
        the store kept ``ledger_teams``. Returns how many it indexed (0 when it ran before)."""
        if self._migrated(_INDEX_TEAMS):
            return 0
        with self.datastore.transaction(commit=True) as c:  # type: ignore[attr-defined]
            if not self._note_migration(c, _INDEX_TEAMS):
                return 0
            rows = sorted((team_row(position, state)
                           for position, state in self._stored_of_topic(c, _TEAM_TOPIC)),
                          key=lambda row: row.position)
            self._write_teams(c, rows)
            return len(rows)

    def _write_teams(self, c: Any, rows: Sequence[TeamRow]) -> None:
        """Make each row its account's team unless a later one (by valid time, then
        position) is already there; run in the insert's transaction, under its lock."""
        raise NotImplementedError

    def team_accounts(self, employee: str) -> frozenset[str]:
        """The accounts whose latest team names ``employee`` as owner or member."""
        raise NotImplementedError

    def latest_team(self, account_id: str) -> TeamRow | None:
        """The account's latest team (now, as known now), or None."""
        raise NotImplementedError

    def _migrated(self, name: str) -> bool:
        """Whether migration ``name`` was noted already."""
        raise NotImplementedError

    def _note_migration(self, c: Any, name: str) -> bool:
        """Note on cursor ``c`` that migration ``name`` ran; False when it ran before."""
        raise NotImplementedError

    def _stored_of_topic(self, c: Any, topic: str) -> list[tuple[int, bytes]]:
        """(position, state) of every stored event of ``topic``, read on cursor ``c``."""
        raise NotImplementedError

    def _shred(self, c: Any, stakeholder_id: str, position: int) -> None:
        """Delete the keys an erasure at ``position`` destroys, and redact the idempotency
        digests of the events before it that they sealed."""
        raise NotImplementedError

    def select_streams(self, originator_ids: Sequence[UUID]) -> dict[UUID, list[StoredEvent]]:
        """Every stored event of each given stream, in version order, read in few queries;
        streams that do not exist are absent from the answer."""
        raise NotImplementedError

    def _chain_rows(self, last: Any, ids: Sequence[int], stored_events: Sequence[StoredEvent],
                    companions: CompanionRows) -> list[tuple[int, str, str, str]]:
        """The chain rows of the events just inserted at ``ids``, continuing from ``last``
        (the newest ``ledger_chain`` row, read under the write lock; None when empty)."""
        return extend(last["chain_hash"] if last else GENESIS, ids, stored_events,
                      list(companions.event_ids) or None)


def _pages(page_after: Callable[[int], Sequence[Any]]) -> Iterator[Any]:
    """Every row of the pages ``page_after(position)`` returns, each after the last."""
    after = 0
    while True:
        page = page_after(after)
        yield from page
        if len(page) < PAGE:
            return
        after = page[-1].position

"""The hash chain over the log (SPEC §7.2): digests, links and verification.

Each stored event has a digest of exactly what the event store holds for it
(stream, version, topic, state). The chain links every event to the one before it
in position order: ``hash_n = sha256(hash_{n-1} | n | digest_n)``. The chain rows are
written by the recorder in the same transaction as the events, under the store's
write lock, so concurrent writers extend one chain.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple
from uuid import UUID

from eventsourcing.persistence import StoredEvent

GENESIS = "0" * 64


def event_digest(originator_id: UUID | str, version: int, topic: str, state: bytes) -> str:
    """Digest of one stored event exactly as the store keeps it."""
    stream = originator_id.hex if isinstance(originator_id, UUID) else str(originator_id)
    head = f"{stream}|{version}|{topic}|".encode()
    return hashlib.sha256(head + bytes(state)).hexdigest()


def link(previous_hash: str, position: int, digest: str) -> str:
    """The chain hash of the event at ``position`` following ``previous_hash``."""
    return hashlib.sha256(f"{previous_hash}|{position}|{digest}".encode()).hexdigest()


def event_id_of(state: bytes) -> str:
    """The ledger event_id inside a stored event's JSON state."""
    try:
        return str(json.loads(bytes(state))["event_id"])
    except (ValueError, KeyError, TypeError):
        return ""


class ChainRow(NamedTuple):
    """One row of the ``ledger_chain`` table."""

    position: int
    event_id: str
    event_digest: str
    chain_hash: str


class StoredRow(NamedTuple):
    """One stored event as read back from the event store for verification."""

    position: int
    originator_id: UUID | str
    version: int
    topic: str
    state: bytes


def extend(previous_hash: str, positions: Sequence[int], stored: Sequence[StoredEvent],
           event_ids: Sequence[str] | None = None) -> list[tuple[int, str, str, str]]:
    """Chain rows (position, event_id, event_digest, chain_hash) for newly inserted
    events at ``positions``, continuing from ``previous_hash``.

    ``event_ids``, when the writer knows them, saves parsing each event's JSON state.
    """
    rows = []
    for index, (position, event) in enumerate(zip(positions, stored, strict=True)):
        digest = event_digest(event.originator_id, event.originator_version, event.topic,
                              event.state)
        previous_hash = link(previous_hash, position, digest)
        event_id = event_ids[index] if event_ids else event_id_of(event.state)
        rows.append((position, event_id, digest, previous_hash))
    return rows


@dataclass
class Verification:
    """The outcome of a chain check (the ``verify`` shape of SPEC §5.3)."""

    ok: bool = True
    events_checked: int = 0
    head_hash: str = GENESIS
    head_position: int = 0
    problems: list[dict[str, Any]] = field(default_factory=list)

    def add(self, position: int | None, event_id: str | None, problem: str) -> None:
        """Record one problem; any problem makes the check fail."""
        self.ok = False
        self.problems.append({"position": position, "event_id": event_id, "problem": problem})

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape of SPEC §5.3 ``verify``."""
        return {
            "ok": self.ok,
            "events_checked": self.events_checked,
            "head_hash": self.head_hash,
            "head_position": self.head_position,
            "problems": self.problems,
        }


def verify(
    stored: Iterator[StoredRow], chain: Iterator[ChainRow], *, head: str | None = None
) -> Verification:
    """Recompute the chain and name every edited, deleted, inserted or reordered event.

    ``stored`` and ``chain`` must both be in ascending position order; they are read
    once, in step, so memory stays flat however long the log is. ``head``, a chain head
    exported earlier, must still be found in the chain, which catches truncation.
    """
    result = Verification()
    mismatches: list[tuple[int, str, str, str]] = []
    previous_hash = GENESIS
    head_seen = head is None
    event = next(stored, None)
    row = next(chain, None)
    while event is not None or row is not None:
        if row is None or (event is not None and event.position < row.position):
            assert event is not None
            result.events_checked += 1
            result.add(event.position, event_id_of(event.state) or None,
                       "inserted: this event is not covered by the hash chain")
            event = next(stored, None)
            continue
        if row.chain_hash != link(previous_hash, row.position, row.event_digest):
            _broken(result, result.head_position, row)
        previous_hash = row.chain_hash
        result.head_hash, result.head_position = row.chain_hash, row.position
        head_seen = head_seen or row.chain_hash == head
        if event is None or event.position > row.position:
            result.add(row.position, row.event_id, "deleted: the event at this position is missing")
        else:
            result.events_checked += 1
            digest = event_digest(event.originator_id, event.version, event.topic, event.state)
            if digest != row.event_digest:
                mismatches.append((row.position, row.event_id, digest, row.event_digest))
            event = next(stored, None)
        row = next(chain, None)
    _classify(mismatches, result)
    if not head_seen:
        result.add(None, None, f"head {head} is not in the chain: the newest events were "
                               "removed (truncation) or the chain was rewritten")
    return result


def _broken(result: Verification, previous: int, row: ChainRow) -> None:
    """Name a broken link: where positions are missing before it, an event was deleted with
    its chain row (gaps alone are normal on PostgreSQL, whose positions come from a
    sequence; a gap that breaks the link is not); else the chain table was edited."""
    if row.position - previous == 2:
        result.add(previous + 1, None, "deleted: the event at this position was removed "
                                       "together with its chain row (the next link breaks)")
    elif row.position - previous > 2:
        result.add(previous + 1, None, f"deleted: an event between positions {previous} and "
                                       f"{row.position} was removed together with its chain "
                                       "row (the next link breaks)")
    else:
        result.add(row.position, row.event_id,
                   "chain broken: the link to the previous event does not match "
                   "(the chain table was edited)")


def _classify(mismatches: list[tuple[int, str, str, str]], result: Verification) -> None:
    """An altered event is 'reordered' when its content belongs at another position."""
    expected_at = {chain_digest: position for position, _, _, chain_digest in mismatches}
    for position, event_id, digest, _ in mismatches:
        other = expected_at.get(digest)
        if other is not None and other != position:
            result.add(position, event_id,
                       f"reordered: the event stored here belongs at position {other}")
        else:
            result.add(position, event_id, "edited: the stored event differs from when it was "
                                           "recorded")
    result.problems.sort(key=lambda p: (p["position"] is None, p["position"] or 0))

"""The tamper check of what the hash chain does not cover: the event-id index (the
idempotency digests) and the personal-data keys (SPEC §7.2, §7.3).

The chain covers every stored event. Beside the events, each has a row in
``ledger_event_ids`` (its idempotency digest), and each person's personal fields are
sealed under a key in ``ledger_subject_keys``. An edited digest would make a different
event pass for a replay; a deleted key would shred a person with no erasure on record.
So each event's digest is recomputed from its content (opened with its key), and a key
or a redacted digest may only be missing where a ``stakeholder.forgotten`` destroyed it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol

from ledger.contract.records import EventRecord
from ledger.domain.submission import content_digest, redacted_digest
from ledger.store.chain import StoredRow, Verification
from ledger.store.privacy import (
    REDACTED_DIGEST,
    lost_fields,
    stakeholder_subject,
    subject_of,
    unseal,
)
from ledger.store.recorder import LedgerRecorderMixin


class Decoded(Protocol):
    """What the check needs of a decoded stored event."""

    @property
    def type(self) -> str: ...  # noqa: D102

    @property
    def event_id(self) -> str: ...  # noqa: D102

    @property
    def occurred_at(self) -> datetime: ...  # noqa: D102

    @property
    def data(self) -> dict[str, Any]: ...  # noqa: D102


ReadErasures = Callable[[int], list[EventRecord]]
"""``read(after)`` → the next page of ``stakeholder.forgotten`` records."""


def erased_subjects(recorder: LedgerRecorderMixin, read: ReadErasures) -> dict[str, int]:
    """Every subject whose key an erasure destroyed, with the erasure's position."""
    erased: dict[str, int] = {}
    after = 0
    while page := read(after):
        for record in page:
            person = record.data["stakeholder_id"]
            for subject in (stakeholder_subject(person), *recorder.linked_subjects(person)):
                erased.setdefault(subject, record.position)
        after = page[-1].position
    return erased


def check_companions(recorder: LedgerRecorderMixin, decode: Callable[[StoredRow], Decoded],
                     erased: dict[str, int], result: Verification) -> None:
    """Name every event whose idempotency row or personal-data key was tampered with;
    events the chain check named already are left out (their content was changed)."""
    flagged = {problem["position"] for problem in result.problems}
    after = 0
    ciphers: dict[bytes, Any] = {}
    while rows := recorder.stored_page(after):
        events = [decode(row) for row in rows]
        ids = recorder.lookup_event_ids([event.event_id for event in events])
        subjects = [subject_of(event.type, event.data) for event in events]
        keys = recorder.load_keys(sorted({s for s in subjects if s is not None}))
        for row, event, subject in zip(rows, events, subjects, strict=True):
            if row.position in flagged:
                continue
            key = keys.get(subject) if subject is not None else None
            opened = unseal(event.type, event.data, key, ciphers) if subject else event.data
            _check_one(row.position, event, subject, opened, ids.get(event.event_id), erased,
                       result)
        after = rows[-1].position


def _check_one(position: int, event: Decoded, subject: str | None, opened: dict[str, Any],
               index: tuple[str, int] | None, erased: dict[str, int],
               result: Verification) -> None:
    if index is None:
        result.add(position, event.event_id, "index deleted: the event's idempotency row "
                                             "(ledger_event_ids) is missing")
        return
    digest, indexed_at = index
    if indexed_at != position:
        result.add(position, event.event_id, f"index edited: the event's idempotency row "
                                             f"names position {indexed_at}")
    erasure = erased.get(subject) if subject is not None else None
    shredded = erasure is not None and position <= erasure
    lost = subject is not None and lost_fields(event.type, event.data, opened)
    if lost and not shredded:
        result.add(position, event.event_id, f"key deleted: the personal-data key of {subject} "
                                             "is gone, but no stakeholder.forgotten destroyed it")
    if digest.startswith(REDACTED_DIGEST):
        expected: str | None = redacted_digest(event.type, event.occurred_at, event.data)
        if not shredded:
            result.add(position, event.event_id, "digest edited: the idempotency digest is "
                                                 "redacted, but no erasure shredded this event")
            return
    else:
        expected = None if lost else content_digest(event.type, event.occurred_at, opened)
    if expected is not None and digest != expected:
        result.add(position, event.event_id, "digest edited: the idempotency digest "
                                             "(ledger_event_ids) does not match the event")

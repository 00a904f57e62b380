"""Crypto-shredding of personal fields (SPEC §7.3).

Personal fields are sealed with AES-GCM under a key of their *subject*: the stakeholder
(name, title, birthday, notes, reasons about them) or the engagement (location, notes,
reasons), and each engagement subject is linked to its participants. Keys live in the
event store's database, written in the same transaction as the events.
``stakeholder.forgotten`` deletes the person's key and the keys of every engagement
they took part in; their fields then read ``"[forgotten]"`` everywhere, while the
stored events — and so the hash chain — stay untouched.
"""

from __future__ import annotations

import binascii
import hashlib
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ledger.aggregates import stream_id

FORGOTTEN = "[forgotten]"
SEALED_PREFIX = "sealed:v1:"
REDACTED_DIGEST = "redacted:"
"""Prefix of the idempotency digest an erasure leaves for each event it shreds: the
digest of the event without its personal fields. The full digest hashes the plain event,
so a guess at the person's fields could be checked against it; the redacted one covers
only what the store keeps in the clear anyway, and still recognises a resubmission."""

_STAKEHOLDER_FIELDS: dict[str, tuple[str, ...]] = {
    "stakeholder.registered": ("name", "title", "birthday", "notes"),
    "stakeholder.role_changed": ("reason",),
    "stakeholder.attitude_changed": ("reason",),
    "stakeholder.departed": ("reason",),
    "stakeholder.forgotten": ("reason",),
}
_ENGAGEMENT_FIELDS: dict[str, tuple[str, ...]] = {
    "engagement.recorded": ("location", "notes"),
    "engagement.corrected": ("reason",),
    "engagement.voided": ("reason",),
}
_CHANGES_FIELDS = ("location", "notes")
PERSONAL_TYPES = frozenset(_STAKEHOLDER_FIELDS) | frozenset(_ENGAGEMENT_FIELDS)
"""The event types that carry personal fields."""


def stakeholder_subject(stakeholder_id: str) -> str:
    """The key subject of a person."""
    return f"stakeholder:{stakeholder_id}"


def engagement_subject(engagement_id: str) -> str:
    """The key subject of an engagement's free text."""
    return f"engagement:{engagement_id}"


def subject_of(event_type: str, data: dict[str, Any]) -> str | None:
    """Whose key seals this event's personal fields (None: the type has none)."""
    if event_type in _STAKEHOLDER_FIELDS:
        return stakeholder_subject(data["stakeholder_id"])
    if event_type in _ENGAGEMENT_FIELDS:
        return engagement_subject(data["engagement_id"])
    return None


def subject_streams(subjects: Iterable[str]) -> list[UUID]:
    """The streams whose events seal text under each subject (``kind:key`` names both)."""
    return [stream_id(*subject.split(":", 1)) for subject in subjects]


_PERSONAL_NAMES: dict[str, tuple[str, ...]] = {**_STAKEHOLDER_FIELDS, **_ENGAGEMENT_FIELDS}


def _personal_names(event_type: str) -> tuple[str, ...]:
    """The names of the type's personal fields (not those inside ``changes``)."""
    return _PERSONAL_NAMES.get(event_type, ())


Fields = tuple[list[str], list[str]]
"""The personal fields an event holds as text: names in its data, names in its ``changes``."""


def personal_fields(event_type: str, data: dict[str, Any]) -> Fields:
    """The personal fields present as text in ``data``, and in its ``changes`` (what
    :func:`seal` seals; it takes them, found once, as ``fields``)."""
    top = []
    for name in _PERSONAL_NAMES.get(event_type, ()):  # a loop: these lists are short
        if isinstance(data.get(name), str):
            top.append(name)
    changes = data.get("changes")
    if event_type == "engagement.corrected" and isinstance(changes, dict):
        return top, [name for name in _CHANGES_FIELDS if isinstance(changes.get(name), str)]
    return top, []



def without_personal(event_type: str, data: dict[str, Any]) -> dict[str, Any]:
    """``data`` without the type's personal fields (sealed or not, in ``changes`` too)."""
    names = _personal_names(event_type)
    kept = {name: value for name, value in data.items() if name not in names}
    if event_type == "engagement.corrected" and isinstance(kept.get("changes"), dict):
        kept["changes"] = {name: value for name, value in kept["changes"].items()
                           if name not in _CHANGES_FIELDS}
    return kept


def _copy(data: dict[str, Any]) -> dict[str, Any]:
    copied = dict(data)
    if isinstance(copied.get("changes"), dict):
        copied["changes"] = dict(copied["changes"])
    return copied


def _containers(data: dict[str, Any], top: list[str], changed: list[str],
                ) -> list[tuple[dict[str, Any], list[str]]]:
    """(container, field names) of the personal fields :func:`personal_fields` found."""
    return [(data, top), (data["changes"], changed)] if changed else [(data, top)]


class RandomPool:
    """Random bytes from the operating system's generator (``os.urandom``), drawn a block
    at a time: a batch takes a nonce for every field it seals and a key for every new
    subject, and one call per block costs less than one per nonce. Every byte is handed
    out once. Keep one pool per batch (it is not shared between threads)."""

    def __init__(self, block: int = 4096) -> None:
        self._block = block
        self._bytes = b""
        self._at = 0

    def take(self, size: int) -> bytes:
        """``size`` fresh random bytes."""
        if self._at + size > len(self._bytes):
            self._bytes, self._at = os.urandom(max(self._block, size)), 0
        taken = self._bytes[self._at:self._at + size]
        self._at += size
        return taken


def seal(event_type: str, data: dict[str, Any], key: bytes | None,
         ciphers: dict[bytes, tuple[AESGCM, str]] | None = None,
         randomness: RandomPool | None = None, fields: Fields | None = None,
         ) -> dict[str, Any]:
    """A copy of ``data`` with its personal fields encrypted under ``key``.

    ``ciphers``, a cache the caller keeps for one batch, saves re-deriving the cipher
    and the key's fingerprint for every event of the same subject; ``randomness``, the
    batch's pool, gives the nonces (else each is drawn from ``os.urandom``); ``fields``,
    what :func:`personal_fields` found when the caller looked already.
    """
    # Names, not (dict, name) pairs: runs per event.
    top, changed = fields if fields is not None else personal_fields(event_type, data)
    if not top and not changed:
        return data
    if key is None:
        raise ValueError(f"no key to seal the personal fields of {event_type}")
    sealed = _copy(data)
    cipher, prefix = _cipher(key, ciphers)
    for container, names in _containers(sealed, top, changed):
        for name in names:
            nonce = randomness.take(12) if randomness is not None else os.urandom(12)
            token = nonce + cipher.encrypt(nonce, container[name].encode(), None)
            # What base64.b64encode(token) gives, without its wrapper's checks.
            container[name] = prefix + binascii.b2a_base64(token, newline=False).decode()
    return sealed


def _cipher(key: bytes, ciphers: dict[bytes, tuple[AESGCM, str]] | None,
            ) -> tuple[AESGCM, str]:
    """The key's cipher and the prefix of the values it seals, from ``ciphers`` if there."""
    found = ciphers.get(key) if ciphers is not None else None
    if found is None:
        found = AESGCM(key), f"{SEALED_PREFIX}{fingerprint(key)}:"
        if ciphers is not None:
            ciphers[key] = found
    return found


def fingerprint(key: bytes) -> str:
    """A short id of a key, stored with each sealed value so a later key is never tried."""
    return hashlib.sha256(key).hexdigest()[:12]


def unseal(event_type: str, data: dict[str, Any], key: bytes | None,
           ciphers: dict[bytes, tuple[AESGCM, str]] | None = None) -> dict[str, Any]:
    """A copy of ``data`` with personal fields decrypted, or ``[forgotten]`` without key.

    ``ciphers`` is the same per-batch cache :func:`seal` takes.
    """
    top, changed = personal_fields(event_type, data)
    if not any(data[name].startswith(SEALED_PREFIX) for name in top) and not any(
            data["changes"][name].startswith(SEALED_PREFIX) for name in changed):
        return data
    opened = _copy(data)
    for container, names in _containers(opened, top, changed):
        for name in names:
            container[name] = open_value(container[name], key, ciphers)
    return opened


def open_value(value: str, key: bytes | None,
               ciphers: dict[bytes, tuple[AESGCM, str]] | None = None) -> str:
    """One stored personal field in the clear: itself when not sealed, ``[forgotten]``
    when sealed under a key other than ``key`` (a destroyed one) or without a key."""
    if not value.startswith(SEALED_PREFIX):
        return value
    found = _cipher(key, ciphers) if key is not None else None
    if found is None or not value.startswith(found[1]):
        return FORGOTTEN  # sealed under a key that was destroyed
    token = binascii.a2b_base64(value[len(found[1]):])  # base64.b64decode, without its checks
    return found[0].decrypt(token[:12], token[12:], None).decode()


@dataclass
class KeyChanges:
    """Key-table changes that must commit with a batch of events."""

    new_keys: dict[str, bytes] = field(default_factory=dict)
    links: dict[str, list[str]] = field(default_factory=dict)
    """Each engagement subject's participants (a list per engagement, not a pair per link:
    fewer objects for the garbage collector while a batch is built)."""
    forget: list[tuple[str, int]] = field(default_factory=list)
    """(stakeholder_id, index of the erasure among the batch's events) of each erasure."""
    late_keys: dict[str, bytes] = field(default_factory=dict)
    """New keys of subjects an erasure earlier in the batch shreds, for text sealed after
    it: written after the erasures have deleted the subjects' old keys."""
    shredded: set[str] = field(default_factory=set)
    randomness: RandomPool = field(default_factory=RandomPool)
    """Where new keys come from (and the batch's nonces: :func:`seal` takes it too)."""

    def _fresh_key(self) -> bytes:
        """A new 256-bit AES key, as ``AESGCM.generate_key`` makes one (random bytes)."""
        return self.randomness.take(32)

    def new_key(self, subject: str) -> bytes:
        """Create (once) the key of a new subject."""
        key = self.new_keys.get(subject)
        if key is None:
            key = self.new_keys[subject] = self._fresh_key()
        return key

    def key_for(self, subject: str, stored: bytes | None) -> bytes:
        """The key that seals new text about an existing subject (``stored``: its key in
        the store, None when there is none, e.g. shredded by an earlier erasure)."""
        if subject in self.shredded:
            key = self.late_keys.get(subject)
            if key is None:
                key = self.late_keys[subject] = self._fresh_key()
            return key
        return self.new_keys.get(subject) or stored or self.new_key(subject)

    def erase(self, stakeholder_id: str, index: int, linked: Iterable[str]) -> None:
        """Note the erasure of a person at ``index``: it shreds their subject, the
        ``linked`` engagement subjects in the store and those linked earlier in the batch."""
        self.forget.append((stakeholder_id, index))
        subjects = {stakeholder_subject(stakeholder_id), *linked}
        subjects.update(s for s, people in self.links.items() if stakeholder_id in people)
        self.shredded |= subjects
        for subject in subjects:  # text sealed earlier in the batch is shredded too
            self.late_keys.pop(subject, None)

    def link(self, participants: Iterable[str], engagement_id: str) -> None:
        """Forgetting any of ``participants`` also shreds this engagement's free text."""
        self.links.setdefault(engagement_subject(engagement_id), []).extend(participants)

    def link_rows(self) -> Iterator[tuple[str, str]]:
        """The (stakeholder_id, subject) rows of the links, each once, made as they are
        consumed (an executemany then holds one row at a time)."""
        for subject, people in self.links.items():
            for stakeholder_id in dict.fromkeys(people):
                yield stakeholder_id, subject


def lost_fields(event_type: str, sealed: dict[str, Any], opened: dict[str, Any]) -> bool:
    """Whether :func:`unseal` turned a sealed personal field of ``sealed`` into
    ``[forgotten]`` in ``opened``: its key is gone."""
    top, changed = personal_fields(event_type, sealed)
    return any(sealed[name].startswith(SEALED_PREFIX) and opened[name] == FORGOTTEN
               for name in top) or any(
        sealed["changes"][name].startswith(SEALED_PREFIX)
        and opened["changes"][name] == FORGOTTEN for name in changed)

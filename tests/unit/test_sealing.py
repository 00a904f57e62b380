"""Sealing encrypts exactly the personal fields (SPEC 7.3), leaves its input alone and
opens again under the same key; without the key those fields read ``[forgotten]``."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from hypothesis import given
from hypothesis import strategies as st

from ledger.contract.validation import parse_envelope
from ledger.domain.submission import dump_data
from ledger.store.privacy import FORGOTTEN, SEALED_PREFIX, seal, unseal
from tests.strategies import envelopes, moments, texts

NOW = datetime(2030, 1, 1, tzinfo=UTC)
PERSONAL = {
    # SPEC §7.3: a person's name, title, birthday and notes; an engagement's location and
    # notes; the free-text reasons given about a person or about an engagement they took
    # part in. Written out here, not taken from the code under test.
    "stakeholder.registered": ("name", "title", "birthday", "notes"),
    "stakeholder.role_changed": ("reason",),
    "stakeholder.attitude_changed": ("reason",),
    "stakeholder.departed": ("reason",),
    "stakeholder.forgotten": ("reason",),
    "engagement.recorded": ("location", "notes"),
    "engagement.corrected": ("reason",),
    "engagement.voided": ("reason",),
}
PERSONAL_CHANGES = ("location", "notes")
"""The personal fields an ``engagement.corrected`` may carry in its ``changes``."""
KEY = AESGCM.generate_key(bit_length=256)

corrections = st.fixed_dictionaries(
    {"type": st.just("engagement.corrected"), "occurred_at": moments(),
     "data": st.fixed_dictionaries(
         {"engagement_id": st.just("e1"), "reason": texts,
          "changes": st.fixed_dictionaries({}, optional={
              "location": texts | st.none(), "notes": texts | st.none(), "owner": texts})
          .filter(bool)})})


def _flatten(data: dict[str, Any]) -> dict[tuple[str, ...], Any]:
    flat: dict[tuple[str, ...], Any] = {}
    for name, value in data.items():
        if name == "changes" and isinstance(value, dict):
            flat.update({("changes", inner): v for inner, v in value.items()})
        else:
            flat[(name,)] = value
    return flat


@given(envelopes() | corrections)
def test_exactly_the_personal_fields_are_sealed_and_open_again(raw: dict[str, Any]) -> None:
    data = dump_data(parse_envelope(raw, now=NOW))
    before = copy.deepcopy(data)
    personal = {(name,) for name in PERSONAL.get(raw["type"], ())
                if isinstance(data.get(name), str)}
    if raw["type"] == "engagement.corrected":
        personal |= {("changes", name) for name in PERSONAL_CHANGES
                     if isinstance(data["changes"].get(name), str)}
    sealed = seal(raw["type"], data, KEY, {})
    assert data == before  # the caller's data is not touched
    for path, value in _flatten(sealed).items():
        if path in personal:
            assert isinstance(value, str) and value.startswith(SEALED_PREFIX)
        else:
            assert value == _flatten(before)[path]
    assert unseal(raw["type"], sealed, KEY) == before
    shredded = _flatten(unseal(raw["type"], sealed, None))
    assert all(shredded[path] == FORGOTTEN for path in personal)

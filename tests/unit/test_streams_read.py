"""``streams_read`` names every stream the rules look up, so a batch can be preloaded."""

from __future__ import annotations

from contextlib import suppress
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.aggregates import Engagement, LedgerAggregate, Opportunity, Policy, Stakeholder
from ledger.contract.validation import parse_envelope
from ledger.domain.rules import check, streams_read
from ledger.domain.submission import dump_data
from ledger.errors import LedgerError
from tests.strategies import currencies, engagement_data, envelopes, ids, moments, texts

NOW = datetime(2030, 1, 1, tzinfo=UTC)
mostly = st.integers(0, 3).map(bool)  # True three times in four: rules get further
rarely = mostly.map(lambda value: not value)

corrections = st.fixed_dictionaries(
    {"engagement_id": ids, "reason": texts,
     "changes": st.fixed_dictionaries({}, optional={
         "owner": texts, "participants": st.lists(ids, max_size=4, unique=True),
         "opportunity_id": st.none() | ids, "kind": st.sampled_from(["dinner", "greeting"])})
     .filter(bool)})


@st.composite
def any_envelope(draw: st.DrawFn) -> dict[str, Any]:
    """Valid envelopes of every type, with corrections that change participants too."""
    if draw(st.integers(0, 4)) == 0:
        return {"type": "engagement.corrected", "occurred_at": draw(moments()),
                "data": draw(corrections)}
    return draw(envelopes())


def _existing(draw: st.DrawFn, cls: type[LedgerAggregate], account_id: str) -> LedgerAggregate:
    """A stored aggregate of ``cls`` in a state drawn so the rules go on as far as they can."""
    aggregate = object.__new__(cls)
    state: dict[str, Any] = {"account_id": account_id if draw(mostly) else "other"}
    if cls is Stakeholder:
        state["forgotten"] = draw(rarely)
        state["departed_at"] = NOW - timedelta(days=3000) if draw(rarely) else None
    elif cls is Opportunity:
        state["closed"] = draw(rarely)
    elif cls is Engagement:
        fields = draw(engagement_data())
        del fields["engagement_id"], fields["account_id"]
        fields["opportunity_id"] = draw(st.none() | ids)
        state.update(voided=draw(rarely), fields=fields, engaged_at=NOW)
    elif cls is Policy:
        state["base_currency"] = draw(currencies)
    aggregate.__dict__.update(state)
    return aggregate


@settings(max_examples=300)
@given(any_envelope(), st.data())
def test_streams_read_names_every_stream_check_looks_up(raw: dict[str, Any],
                                                        world: st.DataObject) -> None:
    """Whatever the ledger's state, ``check`` only calls ``get`` for the named streams."""
    envelope = parse_envelope(raw, now=NOW)
    data = dump_data(envelope)
    named = set(streams_read(raw["type"], data))
    account_id = data.get("account_id", "acct")
    looked_up = []

    def get(cls: type[LedgerAggregate], key: str) -> LedgerAggregate | None:
        looked_up.append((cls.kind, key))
        if not world.draw(mostly, label=f"{cls.kind}:{key} exists"):
            return None
        return _existing(world.draw, cls, account_id)

    with suppress(LedgerError):  # a refused event: the lookups made until then still count
        check(envelope, data, get)
    assert set(looked_up) <= named

"""Envelope and data validation (SPEC §3.1–3.2): what is accepted, and how refusals read."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger.contract.schemas import EVENT_TYPES
from ledger.contract.validation import parse_envelope
from ledger.domain.submission import dump_data
from ledger.errors import InvalidEvent
from tests.strategies import DATA, envelopes

NOW = datetime(2026, 6, 1, tzinfo=UTC)


def errors_of(raw: Any) -> list[dict[str, Any]]:
    with pytest.raises(InvalidEvent) as caught:
        parse_envelope(raw, now=NOW)
    return caught.value.errors


def gift(**changes: Any) -> dict[str, Any]:
    data = {"engagement_id": "e1", "account_id": "a1", "kind": "gift", "participants": ["s1"],
            "owner": "olga", "cost": {"amount": "80.00", "currency": "EUR"}}
    data.update(changes)
    return {"type": "engagement.recorded", "occurred_at": "2026-03-02T19:30:00+01:00",
            "data": data}


def test_strategies_cover_every_event_type() -> None:
    """The generators exercise each of the eighteen event types."""
    assert sorted(DATA) == sorted(EVENT_TYPES)


@given(envelopes())
def test_every_event_type_round_trips(raw: dict[str, Any]) -> None:
    """A valid envelope, dumped and validated again, is the same event."""
    event = parse_envelope(raw, now=NOW)
    again = parse_envelope({"type": raw["type"], "occurred_at": event.occurred_at.isoformat(),
                            "data": dump_data(event)}, now=NOW)
    assert again == event
    assert dump_data(again) == dump_data(event)


_BREAKERS: dict[str, Any] = {
    "id": "not an id!",
    "int": "three",
    "bool": "yes",
    "text": 42,
}


@given(envelopes(), st.data())
def test_a_broken_field_is_rejected_and_named(raw: dict[str, Any], data: st.DataObject) -> None:
    """Replacing any data field with a value of the wrong kind names exactly that field."""
    field = data.draw(st.sampled_from(sorted(raw["data"])))
    value = raw["data"][field]
    if isinstance(value, bool):
        bad: Any = "yes"
    elif isinstance(value, int):
        bad = "three"
    elif isinstance(value, str):
        bad = 42
    else:
        bad = "not an object or list"
    broken = {**raw, "data": {**raw["data"], field: bad}}
    locs = [error["loc"] for error in errors_of(broken)]
    assert any(loc[:2] == ["data", field] for loc in locs), locs


@given(envelopes(), st.sampled_from(["recorded_at", "recorded_by", "surprise"]))
def test_unknown_and_server_fields_are_refused(raw: dict[str, Any], field: str) -> None:
    """Clients cannot set recorded_at / recorded_by, and unknown fields are never dropped."""
    locs = [error["loc"] for error in errors_of({**raw, field: "x"})]
    assert [field] in locs


@pytest.mark.parametrize(
    ("raw", "loc", "fragment"),
    [
        ({"occurred_at": "2026-01-01T00:00:00Z", "data": {}}, ["type"], "required"),
        ({"type": "account.closed", "occurred_at": "2026-01-01T00:00:00Z", "data": {}},
         ["type"], "unknown event type"),
        ({**gift(), "occurred_at": "2026-03-02T19:30:00"}, ["occurred_at"], "offset"),
        ({**gift(), "occurred_at": "2026-03-02"}, ["occurred_at"], "RFC 3339"),
        ({**gift(), "occurred_at": 1767225600}, ["occurred_at"], "string"),
        ({**gift(), "occurred_at": (NOW + timedelta(minutes=6)).isoformat()}, ["occurred_at"],
         "future"),
        ({**gift(), "event_id": "not-a-uuid"}, ["event_id"], "UUID"),
        ({**gift(), "occurred_at": "0001-01-01T00:00:00+14:00"}, ["occurred_at"], "1900"),
        ({**gift(), "occurred_at": "1899-12-31T23:59:59Z"}, ["occurred_at"], "1900"),
        # In 1900 by its own clock, but 1899-12-31T23:30Z.
        ({**gift(), "occurred_at": "1900-01-01T00:30:00+01:00"}, ["occurred_at"], "1900"),
        (gift(cost={"amount": "80.001", "currency": "EUR"}), ["data", "cost"], "decimals"),
        (gift(cost={"amount": "80.5", "currency": "JPY"}), ["data", "cost"], "decimals"),
        (gift(cost={"amount": 80.5, "currency": "EUR"}), ["data", "cost", "amount"], "string"),
        (gift(cost={"amount": "-1.00", "currency": "EUR"}), ["data", "cost"], "negative"),
        (gift(cost={"amount": "1e3", "currency": "EUR"}), ["data", "cost"], "decimal"),
        (gift(cost={"amount": "10", "currency": "EURO"}), ["data", "cost", "currency"], "ISO"),
        (gift(cost={"amount": "10", "currency": "XAU"}), ["data", "cost", "currency"], "minor"),
        (gift(cost=None), ["data", "cost"], "gift needs a cost"),
        (gift(participants=[]), ["data", "participants"], "at least one participant"),
        (gift(kind="home_visit", participants=[]), ["data", "participants"], "key-relationship"),
        (gift(participants=["s1", "s1"]), ["data", "participants"], "repeat"),
        (gift(participants=["s1", "s2"], allocation={"s1": "40.00", "s2": "39.99"}),
         ["data", "allocation"], "sums to 79.99"),
        (gift(allocation={"s9": "80.00"}), ["data", "allocation"], "exactly the participants"),
        (gift(account_id="has space"), ["data", "account_id"], "pattern"),
        (gift(account_id="x" * 129), ["data", "account_id"], "pattern"),
        ({"type": "stakeholder.attitude_changed", "occurred_at": "2026-01-01T00:00:00Z",
          "data": {"stakeholder_id": "s1", "attitude": 4, "reason": "dinner went well"}},
         ["data", "attitude"], "less than or equal to 3"),
        ({"type": "stakeholder.attitude_changed", "occurred_at": "2026-01-01T00:00:00Z",
          "data": {"stakeholder_id": "s1", "attitude": 2, "reason": "   "}},
         ["data", "reason"], "blank"),
        ({"type": "stakeholder.attitude_changed", "occurred_at": "2026-01-01T00:00:00Z",
          "data": {"stakeholder_id": "s1", "attitude": 2}}, ["data", "reason"], "required"),
        ({"type": "stakeholder.layer_changed", "occurred_at": "2026-01-01T00:00:00Z",
          "data": {"stakeholder_id": "s1"}}, ["data"], "at least one"),
        ({"type": "opportunity.stakeholder_placed", "occurred_at": "2026-01-01T00:00:00Z",
          "data": {"opportunity_id": "o", "stakeholder_id": "s", "group": "final_decision",
                   "proximity": 4}}, ["data", "proximity"], "less than or equal to 3"),
        ({"type": "engagement.corrected", "occurred_at": "2026-01-01T00:00:00Z",
          "data": {"engagement_id": "e1", "changes": {"account_id": "a2"}, "reason": "typo"}},
         ["data", "changes"], "cannot be corrected"),
        ({"type": "policy.set", "occurred_at": "2026-01-01T00:00:00Z",
          "data": {"base_currency": "JPY", "gift_item_limit": "10.5"}},
         ["data", "gift_item_limit"], "decimals"),
        ({"type": "fx.rate_set", "occurred_at": "2026-01-01T00:00:00Z",
          "data": {"currency": "USD", "rate": "0"}}, ["data", "rate"], "greater than zero"),
        # Bounds that keep conversions exact (and once kept a 40-digit cost from a 500).
        (gift(cost={"amount": "1" * 40, "currency": "EUR"}), ["data", "cost"], "too large"),
        (gift(cost={"amount": "1000000000000000", "currency": "JPY"}), ["data", "cost"],
         "at most 15 digits"),
        (gift(participants=["s1", "s2"], allocation={"s1": "1" * 30, "s2": "0.00"}),
         ["data", "allocation"], "too large"),
        ({"type": "policy.set", "occurred_at": "2026-01-01T00:00:00Z",
          "data": {"base_currency": "EUR", "gift_item_limit": "9" * 29}},
         ["data", "gift_item_limit"], "too large"),
        ({"type": "fx.rate_set", "occurred_at": "2026-01-01T00:00:00Z",
          "data": {"currency": "USD", "rate": "1000000"}}, ["data", "rate"], "less than"),
        ({"type": "fx.rate_set", "occurred_at": "2026-01-01T00:00:00Z",
          "data": {"currency": "USD", "rate": "1.2345678901"}}, ["data", "rate"],
         "significant digits"),
        ([1, 2], [], "JSON object"),
    ],
)
def test_bad_input_gets_a_specific_error(raw: Any, loc: list[Any], fragment: str) -> None:
    """Each rule violation is reported at its field with a message that says what is wrong."""
    errors = errors_of(raw)
    assert any(e["loc"] == loc and fragment in e["msg"] for e in errors), errors


def test_the_largest_amounts_and_rates_are_accepted() -> None:
    """999,999,999,999,999.99 is a valid cost; a rate just under a million, with ten
    significant digits (trailing zeros do not count), is a valid rate."""
    parse_envelope(gift(cost={"amount": "999999999999999.99", "currency": "EUR"}), now=NOW)
    for rate in ("999999.9999", "0.0000001234567890", "1.50000000000000000"):
        parse_envelope({"type": "fx.rate_set", "occurred_at": "2026-01-01T00:00:00Z",
                        "data": {"currency": "USD", "rate": rate}}, now=NOW)


def test_the_earliest_moments_are_accepted_in_any_offset() -> None:
    """1900-01-01T00:00Z itself, and moments after it however far east their offset is."""
    for moment in ("1900-01-01T00:00:00Z", "1900-01-01T00:30:00-01:00",
                   "1900-01-02T00:00:00+23:59", "1901-01-01T00:00:00+23:59"):
        assert parse_envelope({**gift(), "occurred_at": moment}, now=NOW).occurred_at \
            == datetime.fromisoformat(moment)


def test_an_error_quotes_a_long_amount_cut_short() -> None:
    """A megabyte of digits is refused with a message of a line, not an echo of it."""
    errors = errors_of(gift(cost={"amount": "7" * 1_000_000, "currency": "EUR"}))
    assert errors and all(len(e["msg"]) < 200 for e in errors)


def test_money_is_normalised_to_the_currencys_minor_units() -> None:
    """"80.5" EUR and "80.50" EUR are the same content."""
    event = parse_envelope(gift(cost={"amount": "80.5", "currency": "EUR"}), now=NOW)
    assert dump_data(event)["cost"] == {"amount": "80.50", "currency": "EUR"}


def test_defaults_are_filled_in() -> None:
    """A stakeholder registered with only the required fields gets the SPEC defaults."""
    event = parse_envelope({"type": "stakeholder.registered", "occurred_at": "2026-01-01T00:00Z"
                            .replace("00Z", "00:00Z"),
                            "data": {"stakeholder_id": "s1", "account_id": "a1", "name": "Ann"}},
                           now=NOW)
    data = dump_data(event)
    assert (data["role"], data["attitude"], data["layer"], data["rising_star"],
            data["public_official"]) == ("influencer", 0, "general", False, False)


def test_a_correction_keeps_only_the_fields_it_changes() -> None:
    """``changes`` is stored as given, so a correction cannot silently clear other fields."""
    event = parse_envelope({"type": "engagement.corrected", "occurred_at": "2026-01-01T00:00:00Z",
                            "data": {"engagement_id": "e1", "reason": "wrong amount",
                                     "changes": {"cost": {"amount": "12", "currency": "EUR"},
                                                 "allocation": None}}}, now=NOW)
    assert dump_data(event)["changes"] == {"cost": {"amount": "12.00", "currency": "EUR"},
                                           "allocation": None}

"""Web forms as envelopes: what a person types becomes the event a client would send."""

from __future__ import annotations

import pytest

from api.ui.envelopes import (
    GENERAL,
    FormInvalid,
    Typed,
    correct_engagement,
    field_errors,
    field_of,
    record_engagement,
)

EVENT_ID = "7b0c3f52-4c1e-4c53-9a0e-2f1b7b1e8c11"


def typed(**fields: str | list[str]) -> Typed:
    return Typed({k: v if isinstance(v, list) else [v] for k, v in fields.items()})


@pytest.mark.parametrize(("loc", "field"), [
    (["body", "data", "participants", 1], "participants"),
    (["data", "cost", "currency"], "cost_currency"),
    (["data", "cost", "amount"], "cost_amount"),
    (["data", "cost"], "cost_amount"),
    (["data", "allocation", "li.wei"], "allocation"),
    (["data", "changes", "owner"], "owner"),
    (["events", 3, "data", "reason"], "reason"),
    (["occurred_at"], "occurred_at"),
    (["event_id"], GENERAL),
    ([], GENERAL),
])
def test_each_error_location_points_at_the_field_that_caused_it(loc: list, field: str) -> None:
    """SPEC §5.4 ``loc`` → the input the message is shown beside."""
    assert field_of(loc) == field


def test_the_first_message_of_a_field_is_kept() -> None:
    """Two messages for one field: the first is shown."""
    assert field_errors([{"loc": ["data", "reason"], "msg": "a"},
                         {"loc": ["data", "reason"], "msg": "b"}]) == {"reason": "a"}


def test_a_local_time_is_sent_with_the_offset_of_its_zone_that_day() -> None:
    """Berlin is UTC+1 in winter and UTC+2 in summer; blank optional fields are left out."""
    winter = record_engagement(typed(event_id=EVENT_ID, occurred_at="2026-01-15T19:30",
                                     time_zone="Europe/Berlin", kind="summit", owner="li.na",
                                     engagement_id="e-1", location=" "), "acme")
    summer = record_engagement(typed(event_id=EVENT_ID, occurred_at="2026-07-15T19:30",
                                     time_zone="Europe/Berlin", kind="summit", owner="li.na",
                                     engagement_id="e-1"), "acme")
    assert winter["occurred_at"] == "2026-01-15T19:30:00+01:00"
    assert summer["occurred_at"] == "2026-07-15T19:30:00+02:00"
    assert winter["data"] == {"engagement_id": "e-1", "account_id": "acme", "kind": "summit",
                              "owner": "li.na", "participants": []}


def test_an_unknown_time_zone_is_an_error_beside_the_zone() -> None:
    """A zone that does not exist is refused before anything is sent."""
    with pytest.raises(FormInvalid) as caught:
        record_engagement(typed(event_id=EVENT_ID, occurred_at="2026-01-15T19:30",
                                time_zone="Mars/Olympus"), "acme")
    assert set(caught.value.errors) == {"time_zone"}


def test_a_correction_changes_only_what_differs() -> None:
    """Same amount written differently is no change; a cleared field becomes null."""
    current = {"kind": "dinner", "participants": ["a"], "owner": "li.na", "hosts": [],
               "cost": {"amount": "120.00", "currency": "EUR"}, "allocation": None,
               "opportunity_id": None, "approval_ref": None, "location": "Bonn",
               "notes": None}
    event = correct_engagement(typed(event_id=EVENT_ID, occurred_at="2026-01-15T19:30",
                                     kind="dinner", participants=["a", "b"], owner="li.na",
                                     cost_amount="120.0", cost_currency="eur", location="",
                                     reason="two guests"), "e-1", current)
    assert event["data"]["changes"] == {"participants": ["a", "b"], "location": None}


def test_a_correction_that_changes_nothing_is_refused() -> None:
    """Nothing to record: the form says so."""
    current = {"kind": "summit", "participants": [], "owner": "li.na", "hosts": [],
               "cost": None, "allocation": None, "opportunity_id": None,
               "approval_ref": None, "location": None, "notes": None}
    with pytest.raises(FormInvalid):
        correct_engagement(typed(event_id=EVENT_ID, occurred_at="2026-01-15T19:30",
                                 kind="summit", owner="li.na", reason="x"), "e-1", current)

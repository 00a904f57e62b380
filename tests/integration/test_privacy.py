"""Crypto-shredding (SPEC §7.3): personal fields sealed per subject, forgotten on request."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ledger.application import LedgerApplication
from ledger.config import Settings
from ledger.errors import Conflict
from tests.conftest import ADMIN, RECORDER
from tests.integration.helpers import account, dinner, ev, person


@pytest.fixture
def ledger(store_settings: Settings) -> Iterator[LedgerApplication]:
    app = LedgerApplication(store_settings)
    app.record_batch([
        account(),
        person("ann", title="CTO", notes="likes sailing", birthday="1970-05-01"),
        person("bob"),
        ev("stakeholder.attitude_changed", stakeholder_id="ann", attitude=2,
           reason="Ann praised our roadmap"),
        dinner("d1", "ann", "bob", location="Ann's favourite bistro", notes="Ann's daughter"),
        dinner("d2", "bob", location="Canteen"),
    ], RECORDER)
    yield app
    app.close()


def data_of(app: LedgerApplication, event_type: str) -> list[dict]:
    return [r.data for r in app.iter_records() if r.type == event_type]


def raw_states(app: LedgerApplication) -> bytes:
    return b"".join(bytes(row.state) for row in app.ledger_recorder.iter_stored())


def test_personal_fields_are_not_stored_in_clear(ledger: LedgerApplication) -> None:
    """Names, notes, reasons and locations are encrypted at rest; ids and amounts are not."""
    stored = raw_states(ledger)
    for secret in (b"Person ann", b"likes sailing", b"praised our roadmap", b"bistro", b"CTO"):
        assert secret not in stored
    assert b'"ann"' in stored and b"120.00" in stored


def test_personal_fields_read_back_in_clear(ledger: LedgerApplication) -> None:
    """Readers see the plain values while the keys exist."""
    ann = data_of(ledger, "stakeholder.registered")[0]
    assert (ann["name"], ann["title"], ann["notes"]) == ("Person ann", "CTO", "likes sailing")
    assert data_of(ledger, "engagement.recorded")[0]["location"] == "Ann's favourite bistro"


def test_forgetting_shreds_the_person_and_their_engagements_text(
        ledger: LedgerApplication) -> None:
    """After stakeholder.forgotten her fields read [forgotten]; facts and the chain stay."""
    ledger.record(ev("stakeholder.forgotten", stakeholder_id="ann", reason="erasure request"),
                  ADMIN)
    ann, bob = data_of(ledger, "stakeholder.registered")
    assert {ann[k] for k in ("name", "title", "notes", "birthday")} == {"[forgotten]"}
    assert (ann["stakeholder_id"], ann["role"]) == ("ann", "influencer")
    assert bob["name"] == "Person bob"
    change = data_of(ledger, "stakeholder.attitude_changed")[0]
    assert (change["attitude"], change["reason"]) == (2, "[forgotten]")
    shared, own = data_of(ledger, "engagement.recorded")
    assert (shared["location"], shared["notes"]) == ("[forgotten]", "[forgotten]")
    assert shared["cost"] == {"amount": "120.00", "currency": "EUR"}
    assert own["location"] == "Canteen"
    assert ledger.verify().ok


def test_a_forgotten_person_takes_no_further_events(ledger: LedgerApplication) -> None:
    """Erasure is final: no new attitude changes, no new engagements naming her."""
    ledger.record(ev("stakeholder.forgotten", stakeholder_id="ann", reason="erasure"), ADMIN)
    with pytest.raises(Conflict):
        ledger.record(ev("stakeholder.attitude_changed", stakeholder_id="ann", attitude=1,
                         reason="x"), RECORDER)
    with pytest.raises(Conflict):
        ledger.record(ev("stakeholder.forgotten", stakeholder_id="ann", reason="again"), ADMIN)


def test_text_added_after_an_erasure_is_readable(ledger: LedgerApplication) -> None:
    """A correction of a shredded engagement seals its new text under a new key."""
    ledger.record(ev("stakeholder.forgotten", stakeholder_id="ann", reason="erasure"), ADMIN)
    ledger.record(ev("engagement.corrected", engagement_id="d1", reason="venue typo",
                     changes={"location": "Harbour grill"}), RECORDER)
    correction = data_of(ledger, "engagement.corrected")[0]
    assert correction["changes"]["location"] == "Harbour grill"

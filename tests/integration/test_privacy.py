"""Crypto-shredding (SPEC §7.3): personal fields sealed per subject, forgotten on request."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ledger.config import Settings
from ledger.domain.application import LedgerApplication
from ledger.errors import Conflict, IdempotencyConflict
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


def with_id(envelope: dict, event_id: str) -> dict:
    return {**envelope, "event_id": event_id}


REGISTERED = "00000000-0000-4000-8000-0000000000a1"
ROLE = "00000000-0000-4000-8000-0000000000a2"


def test_an_erasure_redacts_the_idempotency_digests_and_replays_still_work(
        store_settings: Settings) -> None:
    """The digest that makes resubmission idempotent hashes the plain event. An erasure
    replaces it, for every event it shreds, by the digest of the event without personal
    fields: no guess at her name can be checked against it, yet resubmitting the same
    event (the erasure itself too) is still a replay, and other content still a 409."""
    app = LedgerApplication(store_settings)
    try:
        registration = with_id(person("ann", notes="likes sailing"), REGISTERED)
        app.record_batch([account(), registration, person("bob")], RECORDER)
        role = with_id(ev("stakeholder.role_changed", stakeholder_id="ann",
                          role="decision_maker", reason="promoted"), ROLE)
        app.record_batch([role, dinner("d1", "ann", "bob", location="bistro")], RECORDER)
        before = app.ledger_recorder.lookup_event_ids([REGISTERED])[REGISTERED][0]
        erasure = with_id(ev("stakeholder.forgotten", stakeholder_id="ann", reason="erasure"),
                          "00000000-0000-4000-8000-0000000000a3")
        app.record(erasure, ADMIN)

        digests = app.ledger_recorder.lookup_event_ids([REGISTERED, ROLE, erasure["event_id"]])
        assert all(digest.startswith("redacted:") for digest, _ in digests.values())
        assert digests[REGISTERED][0] != before
        assert app.record(registration, RECORDER).replayed
        assert app.record(erasure, ADMIN).replayed
        with pytest.raises(IdempotencyConflict):
            app.record({**role, "data": {**role["data"], "role": "approver"}}, RECORDER)
        assert sum(r.type == "stakeholder.registered" for r in app.iter_records()) == 2
        assert app.verify().ok
    finally:
        app.close()


def test_text_added_in_the_batch_of_an_erasure_stays_readable(
        store_settings: Settings) -> None:
    """An erasure and, later in the same batch, a correction with new text about the
    shredded engagement: the new text is sealed under a key the erasure does not destroy,
    and its digest survives (its resubmission is a replay)."""
    app = LedgerApplication(store_settings)
    try:
        app.record_batch([account(), person("ann"), person("bob"),
                          dinner("d1", "ann", "bob", location="bistro")], RECORDER)
        correction = with_id(ev("engagement.corrected", engagement_id="d1",
                                reason="venue typo", changes={"location": "Harbour grill"}),
                             "00000000-0000-4000-8000-0000000000b1")
        app.record_batch([ev("stakeholder.forgotten", stakeholder_id="ann", reason="erasure"),
                          correction], ADMIN)
        recorded, corrected = (r.data for r in app.iter_records()
                               if r.type.startswith("engagement."))
        assert recorded["location"] == "[forgotten]"
        assert corrected["changes"]["location"] == "Harbour grill"
        assert app.record(correction, ADMIN).replayed
    finally:
        app.close()


def test_opening_a_store_shreds_the_digests_earlier_erasures_left(
        store_settings: Settings) -> None:
    """Stores written before erasures destroyed digests are mended once, on opening."""
    app = LedgerApplication(store_settings)
    registration = with_id(person("ann", notes="likes sailing"), REGISTERED)
    app.record_batch([account(), registration], RECORDER)
    digest = app.ledger_recorder.lookup_event_ids([REGISTERED])[REGISTERED][0]
    app.record(ev("stakeholder.forgotten", stakeholder_id="ann", reason="erasure"), ADMIN)
    pg = store_settings.is_postgres
    mark, schema = ("%s", f"{app.recorder.datastore.schema}.") if pg else ("?", "")
    with app.recorder.datastore.transaction(commit=True) as c:  # as an older version left it
        c.execute(f"UPDATE {schema}ledger_event_ids SET content_digest = {mark} "
                  f"WHERE event_id = {mark}", (digest, REGISTERED))
        c.execute(f"DELETE FROM {schema}ledger_migrations")
    app.close()

    reopened = LedgerApplication(store_settings)
    try:
        redacted = reopened.ledger_recorder.lookup_event_ids([REGISTERED])[REGISTERED][0]
        assert redacted.startswith("redacted:") and redacted != digest
        assert reopened.record(registration, RECORDER).replayed
        assert reopened.ledger_recorder.shred_earlier_erasures() == 0  # once only
    finally:
        reopened.close()


def test_a_store_with_the_earlier_key_and_link_tables_seals_and_shreds_alike(tmp_path) -> None:
    """SQLite stores made before the key and link tables were created WITHOUT ROWID keep
    their tables (CREATE ... IF NOT EXISTS leaves them) and work the same."""
    import sqlite3

    path = tmp_path / "ledger.db"
    with sqlite3.connect(path) as db:  # the tables as earlier versions created them
        db.execute("CREATE TABLE ledger_subject_keys (subject TEXT PRIMARY KEY, "
                   "key BLOB NOT NULL)")
        db.execute("CREATE TABLE ledger_subject_links (stakeholder_id TEXT NOT NULL, "
                   "subject TEXT NOT NULL, PRIMARY KEY (stakeholder_id, subject))")
    app = LedgerApplication(Settings(database_url=f"sqlite:///{path}"))
    try:
        app.record_batch([account(), person("ann", notes="likes sailing"), person("bob"),
                          dinner("d1", "ann", "bob", location="Bistro"),
                          dinner("d2", "bob", location="Canteen")], RECORDER)
        assert data_of(app, "engagement.recorded")[0]["location"] == "Bistro"
        app.record(ev("stakeholder.forgotten", stakeholder_id="ann", reason="erasure"), ADMIN)
        shared, own = data_of(app, "engagement.recorded")
        assert (shared["location"], own["location"]) == ("[forgotten]", "Canteen")
        assert data_of(app, "stakeholder.registered")[0]["notes"] == "[forgotten]"
        assert app.verify().ok
    finally:
        app.close()
    with sqlite3.connect(path) as db:
        layouts = dict(db.execute("SELECT name, sql FROM sqlite_master WHERE name IN "
                                  "('ledger_subject_keys', 'ledger_subject_links')"))
    assert not any("WITHOUT ROWID" in sql for sql in layouts.values())


def test_an_engagement_takes_a_key_with_its_first_personal_text(
        ledger: LedgerApplication) -> None:
    """Recorded without location or notes, an engagement keeps no key for nothing; notes a
    correction adds are sealed under a new key, read back, and shredded with a participant."""
    ledger.record(dinner("d3", "ann", "bob"), RECORDER)
    assert "engagement:d3" not in ledger.ledger_recorder.load_keys(["engagement:d3"])
    ledger.record(ev("engagement.corrected", engagement_id="d3", reason="forgot the notes",
                     changes={"notes": "Ann's promotion"}), RECORDER)
    assert b"Ann's promotion" not in raw_states(ledger)
    assert "engagement:d3" in ledger.ledger_recorder.load_keys(["engagement:d3"])
    assert data_of(ledger, "engagement.corrected")[-1]["changes"]["notes"] == "Ann's promotion"
    ledger.record(ev("stakeholder.forgotten", stakeholder_id="ann", reason="erasure"), ADMIN)
    assert data_of(ledger, "engagement.corrected")[-1]["changes"]["notes"] == "[forgotten]"
    assert ledger.verify().ok

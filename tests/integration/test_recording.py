"""Recording events through the application, on SQLite and on PostgreSQL alike."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.config import Settings
from ledger.domain.application import LedgerApplication
from ledger.errors import (
    AlreadyRegistered,
    AlreadyVoided,
    BaseCurrencyLocked,
    BatchTooLarge,
    Conflict,
    DepartedStakeholder,
    IdempotencyConflict,
    InvalidEvent,
    NotAllowed,
    UnknownEntity,
)
from tests.conftest import ADMIN, AUDITOR, RECORDER
from tests.integration.helpers import account, base_setup, dinner, ev, person


@pytest.fixture
def ledger(store_settings: Settings) -> Iterator[LedgerApplication]:
    app = LedgerApplication(store_settings)
    yield app
    app.close()


def count(app: LedgerApplication) -> int:
    return app.head_position()


def test_receipt_carries_position_stream_version_times_and_hash(ledger: LedgerApplication) -> None:
    """A receipt says where the event went in the log and in its stream."""
    first, second = ledger.record_batch(
        [account(), ev("account.tier_changed", account_id="ACME", tier="strategic")], RECORDER)
    assert (first.position, second.position) == (1, 2)
    assert first.stream_id == second.stream_id
    assert (first.version, second.version) == (1, 2)
    assert first.type == "account.registered"
    assert second.occurred_at.isoformat() == "2026-02-01T10:00:00+01:00"
    assert second.recorded_at.tzinfo is not None
    assert len(second.hash) == 64 and second.hash != first.hash
    uuid.UUID(first.event_id)


def test_recorded_by_is_the_principal(ledger: LedgerApplication) -> None:
    """The server, not the client, says who recorded an event."""
    ledger.record(account(), RECORDER)
    assert ledger.read_records()[0].recorded_by == RECORDER.name


@pytest.mark.parametrize(
    ("event", "error", "loc"),
    [
        (ev("account.tier_changed", account_id="NOPE", tier="standard"), UnknownEntity,
         ["data", "account_id"]),
        (person("carl", account_id="NOPE"), UnknownEntity, ["data", "account_id"]),
        (account(), AlreadyRegistered, ["data", "account_id"]),
        (person("ann"), AlreadyRegistered, ["data", "stakeholder_id"]),
        (dinner("d1", "ann", "zed"), UnknownEntity, ["data", "participants", 1]),
        (ev("engagement.voided", engagement_id="nope", reason="dup"), UnknownEntity,
         ["data", "engagement_id"]),
        (ev("opportunity.closed", opportunity_id="nope", outcome="won"), UnknownEntity,
         ["data", "opportunity_id"]),
        (ev("stakeholder.attitude_changed", stakeholder_id="zed", attitude=1, reason="x"),
         UnknownEntity, ["data", "stakeholder_id"]),
        (dinner("d1", "ann", opportunity_id="nope"), UnknownEntity, ["data", "opportunity_id"]),
    ],
)
def test_state_rules_refuse_and_name_the_field(ledger: LedgerApplication, event: dict,
                                               error: type, loc: list) -> None:
    """Unknown ids are 422-class errors, duplicates 409-class; each names the field."""
    ledger.record_batch(base_setup(), RECORDER)
    with pytest.raises(error) as caught:
        ledger.record(event, RECORDER)
    assert caught.value.errors[0]["loc"] == loc
    assert count(ledger) == 3


def test_participants_must_belong_to_the_account(ledger: LedgerApplication) -> None:
    """A stakeholder of another account cannot take part in this account's engagement."""
    ledger.record_batch([*base_setup(), account("OTHER"), person("olaf", "OTHER")], RECORDER)
    with pytest.raises(InvalidEvent, match="belongs to account 'OTHER'"):
        ledger.record(dinner("d1", "ann", "olaf"), RECORDER)


def test_departed_stakeholders_cannot_join_later_engagements(ledger: LedgerApplication) -> None:
    """After a departure, engagements dated later may not name the person; earlier ones may."""
    ledger.record_batch([*base_setup(), ev("stakeholder.departed", "2026-03-01T00:00:00Z",
                                           stakeholder_id="bob")], RECORDER)
    with pytest.raises(DepartedStakeholder, match="departed on 2026-03-01"):
        ledger.record(dinner("late", "bob", occurred_at="2026-03-05T19:00:00Z"), RECORDER)
    ledger.record(dinner("early", "bob", occurred_at="2026-02-20T19:00:00Z"), RECORDER)
    with pytest.raises(DepartedStakeholder):
        ledger.record(ev("stakeholder.role_changed", "2026-03-02T00:00:00Z",
                         stakeholder_id="bob", role="approver"), RECORDER)
    with pytest.raises(Conflict, match="already departed"):
        ledger.record(ev("stakeholder.departed", stakeholder_id="bob"), RECORDER)


def test_voiding_twice_and_touching_a_voided_engagement_conflict(
        ledger: LedgerApplication) -> None:
    """A voided engagement can be neither voided again, corrected nor approved."""
    ledger.record_batch([*base_setup(), dinner("d1", "ann"),
                         ev("engagement.voided", engagement_id="d1", reason="duplicate")],
                        RECORDER)
    for event in (ev("engagement.voided", engagement_id="d1", reason="again"),
                  ev("engagement.corrected", engagement_id="d1", changes={"owner": "x"},
                     reason="typo"),
                  ev("engagement.approved", engagement_id="d1", approval_ref="A-1",
                     approver="cfo")):
        with pytest.raises(AlreadyVoided):
            ledger.record(event, RECORDER)


def test_a_correction_must_leave_a_valid_engagement(ledger: LedgerApplication) -> None:
    """Corrections are merged and the result re-checked, participants included."""
    ledger.record_batch([*base_setup(), account("OTHER"), person("olaf", "OTHER"),
                         dinner("d1", "ann", "bob",
                                allocation={"ann": "60.00", "bob": "60.00"})], RECORDER)
    with pytest.raises(InvalidEvent) as caught:
        ledger.record(ev("engagement.corrected", engagement_id="d1", reason="price",
                         changes={"cost": {"amount": "100.00", "currency": "EUR"}}), RECORDER)
    assert caught.value.errors[0]["loc"] == ["data", "changes", "allocation"]
    with pytest.raises(InvalidEvent, match="belongs to account 'OTHER'"):
        ledger.record(ev("engagement.corrected", engagement_id="d1", reason="guest list",
                         changes={"participants": ["olaf"], "allocation": None}), RECORDER)
    ledger.record(ev("engagement.corrected", engagement_id="d1", reason="price",
                     changes={"cost": {"amount": "100.00", "currency": "EUR"},
                              "allocation": None}), RECORDER)
    assert count(ledger) == 7


def test_the_base_currency_cannot_change_once_set(ledger: LedgerApplication) -> None:
    """A second policy may change limits, not the base currency."""
    policy = ev("policy.set", base_currency="EUR", gift_item_limit="100")
    ledger.record(policy, ADMIN)
    ledger.record(ev("policy.set", base_currency="EUR", gift_item_limit="150"), ADMIN)
    with pytest.raises(BaseCurrencyLocked):
        ledger.record(ev("policy.set", base_currency="USD"), ADMIN)
    with pytest.raises(InvalidEvent, match="base currency"):
        ledger.record(ev("fx.rate_set", currency="EUR", rate="1.1"), ADMIN)


@pytest.mark.parametrize("event_type", ["policy.set", "fx.rate_set", "stakeholder.forgotten"])
def test_admin_only_types_are_refused_to_recorders(ledger: LedgerApplication,
                                                   event_type: str) -> None:
    """Policies, rates and erasures need an admin."""
    data = {"policy.set": {"base_currency": "EUR"}, "fx.rate_set": {"currency": "USD",
            "rate": "0.9"}, "stakeholder.forgotten": {"stakeholder_id": "ann", "reason": "GDPR"}}
    with pytest.raises(NotAllowed):
        ledger.record(ev(event_type, **data[event_type]), RECORDER)


def test_auditors_cannot_write(ledger: LedgerApplication) -> None:
    """The auditor role reads everything and records nothing."""
    with pytest.raises(NotAllowed):
        ledger.record(account(), AUDITOR)
    assert count(ledger) == 0


def test_resubmitting_the_same_event_returns_the_original_receipt(
        ledger: LedgerApplication, store_settings: Settings) -> None:
    """Same event_id and content: the original receipt, nothing recorded, even after restart."""
    event = {**account(), "event_id": str(uuid.uuid4())}
    original = ledger.record(event, RECORDER)
    again = ledger.record(event, RECORDER)
    assert again.replayed and not original.replayed
    assert again.as_dict() == {**original.as_dict(), "replayed": True}
    restarted = LedgerApplication(store_settings)
    assert restarted.record(event, RECORDER).as_dict() == {**original.as_dict(), "replayed": True}
    assert count(restarted) == 1
    restarted.close()


def test_reusing_an_event_id_for_other_content_conflicts(ledger: LedgerApplication) -> None:
    """Same event_id, different content: a conflict, nothing recorded."""
    event_id = str(uuid.uuid4())
    ledger.record({**account(), "event_id": event_id}, RECORDER)
    with pytest.raises(IdempotencyConflict):
        ledger.record({**account("OTHER"), "event_id": event_id}, RECORDER)
    assert count(ledger) == 1


def test_a_batch_may_refer_to_ids_registered_earlier_in_it(ledger: LedgerApplication) -> None:
    """Later events of a batch see the state the earlier ones create."""
    receipts = ledger.record_batch([*base_setup(), dinner("d1", "ann", "bob")], RECORDER)
    assert [r.position for r in receipts] == [1, 2, 3, 4]


def test_a_bad_event_in_a_batch_records_nothing_and_names_its_index(
        ledger: LedgerApplication) -> None:
    """Batches are all-or-nothing; the error points into the failing event."""
    with pytest.raises(UnknownEntity) as caught:
        ledger.record_batch([*base_setup(), dinner("d1", "ann", "zed")], RECORDER)
    assert caught.value.index == 3
    assert caught.value.errors[0]["loc"] == ["events", 3, "data", "participants", 1]
    assert count(ledger) == 0


def test_a_batch_larger_than_ten_thousand_is_refused(ledger: LedgerApplication) -> None:
    """More than 10,000 events in one batch is refused before anything is checked."""
    with pytest.raises(BatchTooLarge):
        ledger.record_batch([account(f"A{i}") for i in range(10_001)], RECORDER)


def test_the_same_new_event_twice_in_one_batch_is_recorded_once(
        ledger: LedgerApplication) -> None:
    """A client retrying inside one batch does not create a duplicate."""
    event = {**account(), "event_id": str(uuid.uuid4())}
    first, second = ledger.record_batch([event, event], RECORDER)
    assert first.position == second.position == 1 and second.replayed
    assert count(ledger) == 1


@settings(max_examples=15)
@given(st.lists(st.integers(0, 5), min_size=1, max_size=12), st.integers(0, 11))
def test_batches_are_atomic_and_replays_are_idempotent(
        tmp_path_factory: pytest.TempPathFactory, picks: list[int], bad_at: int) -> None:
    """Random batches: one bad event records nothing; resubmitting recorded events adds nothing."""
    path = tmp_path_factory.mktemp("prop") / "ledger.db"
    app = LedgerApplication(Settings(database_url=f"sqlite:///{path}"))
    setup = [{**event, "event_id": str(uuid.uuid4())} for event in base_setup()]
    app.record_batch(setup, RECORDER)
    pool = [{**dinner(f"d{i}", "ann"), "event_id": str(uuid.uuid4())} for i in range(6)]
    batch = [pool[i] for i in picks]
    if bad_at < len(batch):
        broken = [*batch[:bad_at], dinner("bad", "ghost"), *batch[bad_at:]]
        with pytest.raises(UnknownEntity) as caught:
            app.record_batch(broken, RECORDER)
        assert caught.value.index == bad_at
        assert count(app) == 3
    receipts = app.record_batch(batch, RECORDER)
    assert count(app) == 3 + len(set(picks))
    again = app.record_batch(setup + batch, RECORDER)
    assert [r.position for r in again[3:]] == [r.position for r in receipts]
    assert count(app) == 3 + len(set(picks))
    app.close()


def test_a_failure_after_the_insert_records_nothing(store_settings, monkeypatch) -> None:
    """An error while writing the chain rows, after the events are inserted, rolls the
    whole transaction back on both stores (the library would commit it on PostgreSQL)."""
    import ledger.store.recorder

    app = LedgerApplication(store_settings)
    try:
        def broken_chain(*args: object, **kwargs: object) -> None:
            raise RuntimeError("chain step failed")

        monkeypatch.setattr(ledger.store.recorder, "extend", broken_chain)
        with pytest.raises(Exception, match="chain step failed|nothing was recorded"):
            app.record(account(), RECORDER)
        monkeypatch.undo()
        assert app.head_position() == 0
        assert app.record(account(), RECORDER).position >= 1
        assert app.verify().ok
    finally:
        app.close()


def test_the_views_read_the_same_records_without_the_chain(store_settings) -> None:
    """``read_for_views`` gives what ``read_records`` gives, except the unread chain hash."""
    import dataclasses

    app = LedgerApplication(store_settings)
    try:
        app.record_batch([*base_setup(), dinner("d1", "ann", "bob")], RECORDER)
        chained, plain = app.read_records(0, 100), app.read_for_views(0, 100)
        assert all(record.hash for record in chained)
        assert [r.hash for r in plain] == [""] * len(chained)
        assert plain == [dataclasses.replace(r, hash="") for r in chained]
    finally:
        app.close()


def test_a_sqlite_store_out_of_positions_refuses_to_record(tmp_path) -> None:
    """Once the largest rowid is taken SQLite picks new ones at random, which would put
    events out of log order: they are refused and nothing of them is stored."""
    import sqlite3

    from eventsourcing.persistence import PersistenceError

    app = LedgerApplication(Settings(database_url=f"sqlite:///{tmp_path}/ledger.db"))
    try:
        app.record(account(), RECORDER)
        with sqlite3.connect(tmp_path / "ledger.db") as db:
            db.execute("INSERT INTO stored_events (rowid, originator_id, originator_version, "
                       "topic, state) VALUES (9223372036854775807, ?, 1, 't', x'7b7d')",
                       (uuid.uuid4().hex,))
        with pytest.raises(PersistenceError, match="run out of positions"):
            app.record(person("ann"), RECORDER)  # one event: its rowid alone tells
        with sqlite3.connect(tmp_path / "ledger.db") as db:
            assert db.execute("SELECT COUNT(*) FROM stored_events").fetchone() == (2,)
            assert db.execute("SELECT COUNT(*) FROM ledger_chain").fetchone() == (1,)
    finally:
        app.close()


def test_receipts_name_the_positions_the_events_are_read_back_at(
        ledger: LedgerApplication) -> None:
    """Every event of a batch, after a batch refused by the rules: its receipt's position
    is where the log holds it."""
    ledger.record_batch(base_setup(), RECORDER)
    with pytest.raises(AlreadyRegistered):
        ledger.record_batch([person("carl"), person("ann")], RECORDER)
    receipts = ledger.record_batch(
        [person(f"p{n}") for n in range(40)] + [dinner("d1", "p1", "p2")], RECORDER)
    records = ledger.read_records(receipts[0].position - 1, 100)
    assert [(r.event_id, r.position) for r in records] == \
        [(r.event_id, r.position) for r in receipts]

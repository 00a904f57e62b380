"""Records read back from the store equal the library's own decoding of the stored events,
on SQLite and on PostgreSQL, whichever way the reader decodes them."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from decimal import Decimal

import pytest

from ledger.aggregates import LEDGER_TYPES, LedgerAggregate
from ledger.config import Settings
from ledger.contract.records import EventRecord
from ledger.domain.application import LedgerApplication
from ledger.store.privacy import subject_of, unseal
from tests.conftest import ADMIN, RECORDER
from tests.integration.helpers import account, dinner, ev, person


@pytest.fixture
def ledger(store_settings: Settings) -> Iterator[LedgerApplication]:
    app = LedgerApplication(store_settings)
    app.record_batch([
        account(),
        person("ann", title="CTO", notes="likes sailing"),
        person("bob"),
        dinner("d1", "ann", "bob", location="Bistro", notes="Ann's daughter"),
        ev("engagement.corrected", engagement_id="d1", reason="wrong place",
           changes={"location": "Café", "notes": None}),
        ev("stakeholder.attitude_changed", stakeholder_id="bob", attitude=1, reason="Liked it"),
        ev("engagement.voided", engagement_id="d1", reason="double entry"),
    ], RECORDER)
    app.record(ev("stakeholder.forgotten", stakeholder_id="ann", reason="request"), ADMIN)
    yield app
    app.close()


def library_records(app: LedgerApplication) -> list[EventRecord]:
    """The log as the library's notification log and mapper decode it, then unsealed."""
    records = []
    for notification in app.recorder.select_notifications(1, 10_000):
        event = app.mapper.to_domain_event(notification)
        assert isinstance(event, LedgerAggregate.Event)
        event_type = LEDGER_TYPES[type(event)]
        subject = subject_of(event_type, event.data)
        key = app.ledger_recorder.load_keys([subject]).get(subject) if subject else None
        records.append(EventRecord(
            position=notification.id, event_id=event.event_id, type=event_type,
            occurred_at=event.occurred_at, recorded_at=event.timestamp,
            recorded_by=event.recorded_by, stream_id=str(event.originator_id),
            version=event.originator_version, data=unseal(event_type, event.data, key),
            hash=""))
    return records


def test_records_read_back_equal_the_library_decoding(ledger: LedgerApplication) -> None:
    """Every field of every record, offsets of occurred_at and forgotten text included."""
    expected = library_records(ledger)
    assert ledger.read_records(0, 10_000, chained=False) == expected
    assert [r.data for r in ledger.read_records(0, 10_000)] == [r.data for r in expected]
    assert any(r.data.get("name") == "[forgotten]" for r in expected)


def test_pages_of_any_size_read_the_same_records(ledger: LedgerApplication) -> None:
    """Page boundaries change nothing: the reader pages by position."""
    expected = ledger.read_records(0, 10_000)
    for page in (1, 3, 7):
        assert list(ledger.iter_records(page=page)) == expected


def test_a_typed_value_the_ledger_never_writes_still_decodes_as_the_library_does(
        tmp_path: object) -> None:
    """A state with more type markers than an event's two datetimes goes to the mapper."""
    path = f"{tmp_path}/events.db"
    app = LedgerApplication(Settings(database_url=f"sqlite:///{path}"))
    app.record(account(), RECORDER)
    with sqlite3.connect(path) as db:
        db.execute("UPDATE stored_events SET state = CAST(replace(CAST(state AS TEXT), "
                   "'\"name\":\"ACME Telecom\"', '\"name\":{\"_type_\":\"decimal_str\","
                   "\"_data_\":\"1.50\"}') AS BLOB)")
    record = app.read_records(0, 1, chained=False)[0]
    assert record.data["name"] == Decimal("1.50")
    assert record == library_records(app)[0]
    app.close()

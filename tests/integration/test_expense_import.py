"""Importing an expense export: dry run per line, atomic per file, idempotent (both stores)."""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from ledger.config import Settings
from ledger.domain.application import LedgerApplication
from ledger.expenses.importer import check_expenses, record_expenses
from ledger.expenses.mapping import MappingError, load_mapping, parse_mapping
from ledger.expenses.rows import NAMESPACE, plan, read_rows
from tests.conftest import AUDITOR, RECORDER
from tests.integration.helpers import account, person

HEADER = "Report,Line,Date,Type,Amount,Currency,Attendees,Purpose\n"
GOOD = ("R1,1,2026-02-10,Meal,240.00,EUR,Ann Approver; bob@acme.example; Olga,Kick-off\n"
        "R1,2,2026-02-11,Taxi,30.00,EUR,,Airport\n"
        "R1,3,2026-02-12,Gift,80.00,EUR,ANN APPROVER,Book\n")
MAPPING = {
    "columns": {"report_id": "Report", "line": "Line", "date": "Date", "expense_type": "Type",
                "amount": "Amount", "currency": "Currency", "attendees": "Attendees",
                "purpose": "Purpose"},
    "defaults": {"account_id": "ACME", "owner": "olga", "time_zone": "Europe/Berlin"},
    "kinds": {"Meal": "dinner", "Gift": "gift"},
    "skip": ["Taxi"],
    "attendees": {"Ann Approver": "ann", "bob@acme.example": "bob"},
    "employees": {"Olga": "olga"},
}


@pytest.fixture
def ledger(store_settings: Settings) -> Iterator[LedgerApplication]:
    """A ledger with account ACME and its stakeholders ann and bob."""
    app = LedgerApplication(store_settings)
    app.record_batch([account(), person("ann", role="approver"), person("bob")], RECORDER)
    yield app
    app.close()


def planned(text: str) -> list:
    mapping = parse_mapping(MAPPING)
    return plan(read_rows(io.StringIO(HEADER + text), mapping), mapping)


def test_good_lines_are_recorded_in_one_batch_with_ids_from_report_and_line(
        ledger: LedgerApplication) -> None:
    """Two engagements, one skipped taxi; ids are uuid5(report/line); hosts are ours."""
    head = ledger.head_position()
    report = record_expenses(ledger, planned(GOOD), RECORDER)
    assert [(r.line, r.outcome) for r in report.lines] == [
        (2, "recorded"), (3, "skipped"), (4, "recorded")]
    assert ledger.head_position() == head + 2
    stored = {r.event_id: r for r in ledger.read_records(head, 10)}
    dinner = stored[str(uuid.uuid5(NAMESPACE, "R1/1"))]
    assert dinner.data["participants"] == ["ann", "bob"] and dinner.data["hosts"] == ["olga"]
    assert dinner.data["cost"] == {"amount": "240.00", "currency": "EUR"}
    assert dinner.occurred_at.isoformat() == "2026-02-10T12:00:00+01:00"
    assert stored[str(uuid.uuid5(NAMESPACE, "R1/3"))].data["kind"] == "gift"


def test_a_dry_run_names_each_bad_line_and_records_nothing(ledger: LedgerApplication) -> None:
    """A bad currency and an unknown attendee are refused by line; the rest would record."""
    rows = GOOD + ("R2,1,2026-02-13,Meal,99.00,EUX,Ann Approver,Lunch\n"
                   "R2,2,2026-02-14,Meal,50.00,EUR,Zed Unknown; Ann Approver,Coffee\n")
    head = ledger.head_position()
    report = check_expenses(ledger, planned(rows), RECORDER)
    outcomes = {r.line: r for r in report.lines}
    assert [outcomes[n].outcome for n in (2, 3, 4, 5, 6)] == [
        "would record", "skipped", "would record", "refused", "refused"]
    assert "currency" in outcomes[5].detail and "EUX" in outcomes[5].detail
    assert "unknown attendee 'Zed Unknown'" in outcomes[6].detail
    assert ledger.head_position() == head


def test_a_file_with_a_bad_line_records_nothing_at_all(ledger: LedgerApplication) -> None:
    """Atomic per file: one refused line keeps every good line out too."""
    rows = GOOD + "R2,1,2026-02-13,Meal,99.00,EUX,Ann Approver,Lunch\n"
    head = ledger.head_position()
    report = record_expenses(ledger, planned(rows), RECORDER)
    assert [r.line for r in report.refused] == [5]
    assert ledger.head_position() == head


def test_importing_the_same_file_twice_records_nothing_new(ledger: LedgerApplication) -> None:
    """The second run replays every line; a dry run then says they are recorded."""
    record_expenses(ledger, planned(GOOD), RECORDER)
    head = ledger.head_position()
    again = record_expenses(ledger, planned(GOOD), RECORDER)
    assert again.counts() == {"already recorded": 2, "skipped": 1}
    assert ledger.head_position() == head
    assert check_expenses(ledger, planned(GOOD), RECORDER).counts()["already recorded"] == 2


def test_a_line_changed_after_import_is_refused_not_recorded_twice(
        ledger: LedgerApplication) -> None:
    """Same report and line with another amount: the event id is taken (a conflict)."""
    record_expenses(ledger, planned(GOOD), RECORDER)
    changed = GOOD.replace("240.00", "260.00")
    report = check_expenses(ledger, planned(changed), RECORDER)
    assert report.lines[0].outcome == "refused" and "already used" in report.lines[0].detail


def test_the_rules_see_earlier_lines_of_the_same_file(ledger: LedgerApplication) -> None:
    """A line repeating another's report and line in one file is refused in the dry run."""
    rows = GOOD + "R1,1,2026-02-15,Meal,10.00,EUR,Ann Approver,Again\n"
    report = check_expenses(ledger, planned(rows), RECORDER)
    assert report.lines[-1].outcome == "refused" and report.lines[0].outcome == "would record"


def test_an_auditor_cannot_import(ledger: LedgerApplication) -> None:
    """Importing writes: the roles of the API apply."""
    from ledger.errors import NotAllowed

    with pytest.raises(NotAllowed):
        check_expenses(ledger, planned(GOOD), AUDITOR)


@pytest.mark.parametrize(("change", "message"), [
    ({"colums": {}}, "unknown key 'colums'"),
    ({"kinds": {"Meal": "lunch"}}, "'lunch' is not an engagement kind"),
    ({"defaults": {"owner": "olga"}}, "account_id"),
    ({"defaults": {"account_id": "ACME", "time_zone": "Mars/Base"}}, "unknown time zone"),
    ({"columns": {"report_id": "Report"}}, "must name the column of date"),
])
def test_a_bad_mapping_is_an_error_naming_what_is_wrong(change: dict, message: str) -> None:
    """Typos and impossible values in the mapping stop the import before it reads a row."""
    with pytest.raises(MappingError, match=message):
        parse_mapping({**MAPPING, **change})


def test_a_mapped_column_missing_from_the_file_is_named() -> None:
    """The export lacks a column the mapping names."""
    mapping = parse_mapping(MAPPING)
    with pytest.raises(MappingError, match="no column 'Purpose'"):
        list(read_rows(io.StringIO("Report,Line,Date,Type,Amount,Currency,Attendees\n"),
                       mapping))


def test_the_shipped_example_mapping_is_valid() -> None:
    """docs/examples/expenses-mapping.toml loads and maps every expense type of its CSV."""
    root = Path(__file__).resolve().parents[2] / "docs" / "examples"
    mapping = load_mapping(root / "expenses-mapping.toml")
    with (root / "expenses.csv").open(encoding="utf-8") as handle:
        rows = plan(read_rows(handle, mapping), mapping)
    assert rows and all(not r.problems for r in rows)

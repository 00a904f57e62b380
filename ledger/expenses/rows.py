"""Rows of an expense export as ``engagement.recorded`` envelopes, or why a row is not one.

Each row's event id is a UUID derived (uuid5) from its report id and its line within the
report, so importing the same file again replays the same events and records nothing new.
The envelope is what a client would POST: the ledger's own validation and rules judge it
(a bad currency, a departed participant), so this module only maps names and columns.
"""

from __future__ import annotations

import csv
import hashlib
import re
import uuid
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from ledger.expenses.mapping import ExpenseMapping, MappingError

NAMESPACE = uuid.UUID("5b0f6c2e-93a4-4e0c-9d7e-6c1b2f4e8a17")
"""The namespace of expense event ids: uuid5(NAMESPACE, "<report id>/<line>")."""
_NOT_IDENT = re.compile(r"[^A-Za-z0-9._:-]+")


@dataclass(frozen=True)
class Row:
    """One data row of the export: its line number in the file and its cells by header."""

    line: int
    cells: dict[str, str]


@dataclass(frozen=True)
class Planned:
    """What becomes of one row: an envelope, or the reason it is skipped or refused."""

    line: int
    envelope: dict[str, Any] | None = None
    skipped: str | None = None
    problems: list[str] = field(default_factory=list)


def read_rows(handle: TextIO, mapping: ExpenseMapping) -> Iterator[Row]:
    """The export's rows (CSV with a header line); every mapped column must exist."""
    reader = csv.DictReader(handle)
    headers = reader.fieldnames or []
    absent = [header for header in mapping.columns.values() if header not in headers]
    if absent:
        raise MappingError(f"the file has no column {absent[0]!r} (it has: "
                           f"{', '.join(headers) or 'no header'})")
    for cells in reader:
        if not any((value or "").strip() for value in cells.values()):
            continue  # a blank line
        yield Row(reader.line_num, {k: (v or "").strip() for k, v in cells.items() if k})


def plan(rows: Iterable[Row], mapping: ExpenseMapping) -> list[Planned]:
    """Turn every row into an envelope, or say why it is skipped or cannot be one."""
    ordinal: Counter[str] = Counter()
    planned = []
    for row in rows:
        report = _cell(row, mapping, "report_id")
        ordinal[report] += 1
        line_id = _cell(row, mapping, "line") or str(ordinal[report])
        planned.append(_plan_row(row, mapping, report, line_id))
    return planned


def event_id(report_id: str, line_id: str) -> str:
    """The event id of one expense line: stable across imports of the same export."""
    return str(uuid.uuid5(NAMESPACE, f"{report_id}/{line_id}"))


def engagement_id(report_id: str, line_id: str) -> str:
    """A valid engagement id naming the report and line (hashed when too long)."""
    text = _NOT_IDENT.sub("-", f"exp-{report_id}-{line_id}")
    if len(text) > 128:
        text = text[:111] + "-" + hashlib.sha256(text.encode()).hexdigest()[:16]
    return text


def _cell(row: Row, mapping: ExpenseMapping, name: str) -> str:
    header = mapping.column(name)
    return row.cells.get(header, "") if header else ""


def _plan_row(row: Row, mapping: ExpenseMapping, report: str, line_id: str) -> Planned:
    expense_type = _cell(row, mapping, "expense_type")
    if expense_type.casefold() in mapping.skip:
        return Planned(row.line, skipped=f"expense type {expense_type!r} is not an engagement")
    problems: list[str] = []
    if not report:
        problems.append("no report id")
    kind = mapping.kinds.get(expense_type.casefold())
    if kind is None:
        problems.append(f"expense type {expense_type!r} has no kind in [kinds]")
    participants, hosts = _people(_cell(row, mapping, "attendees"), mapping, problems)
    account = _account(row, mapping, problems)
    owner = _employee(_cell(row, mapping, "owner"), mapping) or mapping.owner
    if not owner:
        problems.append("no owner: map an owner column or set [defaults] owner")
    occurred_at = _moment(row, mapping, problems)
    if problems:
        return Planned(row.line, problems=problems)
    data: dict[str, Any] = {
        "engagement_id": engagement_id(report, line_id), "account_id": account, "kind": kind,
        "participants": participants, "owner": owner,
        "cost": {"amount": _cell(row, mapping, "amount").replace(" ", ""),
                 "currency": _cell(row, mapping, "currency").upper()},
    }
    if hosts:
        data["hosts"] = hosts
    for name, column in (("notes", "purpose"), ("location", "location"),
                         ("approval_ref", "approval_ref")):
        if value := _cell(row, mapping, column):
            data[name] = value
    return Planned(row.line, envelope={
        "event_id": event_id(report, line_id), "type": "engagement.recorded",
        "occurred_at": occurred_at, "data": data})


def _people(text: str, mapping: ExpenseMapping,
            problems: list[str]) -> tuple[list[str], list[str]]:
    """Attendees split into the customer's stakeholders and our own employees (hosts)."""
    participants: list[str] = []
    hosts: list[str] = []
    for name in (part.strip() for part in text.split(mapping.attendee_separator)):
        if not name:
            continue
        key = name.casefold()
        if key in mapping.attendees:
            target = participants
            person = mapping.attendees[key]
        elif key in mapping.employees:
            target, person = hosts, mapping.employees[key]
        else:
            problems.append(f"unknown attendee {name!r}: add them to [attendees] (or "
                            "[employees]) in the mapping")
            continue
        if person not in target:
            target.append(person)
    return participants, hosts


def _account(row: Row, mapping: ExpenseMapping, problems: list[str]) -> str:
    customer = _cell(row, mapping, "account")
    if not customer:
        if mapping.account_id:
            return mapping.account_id
        problems.append("no customer: the account column is empty")
        return ""
    found = mapping.accounts.get(customer.casefold())
    if found is None:
        problems.append(f"unknown customer {customer!r}: add it to [accounts] in the mapping")
        return ""
    return found


def _employee(name: str, mapping: ExpenseMapping) -> str:
    return mapping.employees.get(name.casefold(), name) if name else ""


def _moment(row: Row, mapping: ExpenseMapping, problems: list[str]) -> str:
    day, clock = _cell(row, mapping, "date"), _cell(row, mapping, "time") or mapping.time
    try:
        date = datetime.strptime(day, mapping.date_format)
        time = datetime.strptime(clock, "%H:%M")
    except ValueError:
        problems.append(f"date {day!r} or time {clock!r} does not read as "
                        f"{mapping.date_format} HH:MM")
        return ""
    moment = date.replace(hour=time.hour, minute=time.minute,
                          tzinfo=ZoneInfo(mapping.time_zone))
    return moment.isoformat()

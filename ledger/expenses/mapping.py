"""The mapping file of an expense import: which column holds what, and what names mean.

A TOML file (see ``docs/examples/expenses-mapping.toml``) with the tables ``[columns]``
(field → column header of the export), ``[defaults]``, ``[kinds]`` (expense type →
engagement kind), ``[attendees]`` (a customer's name or e-mail → stakeholder id),
``[employees]`` (our people's names or e-mails → employee id: they become hosts or the
owner), ``[accounts]`` (customer column value → account id) and ``skip`` (expense types
that are no engagement, such as taxis). Every table and key is checked: a typo is an
error naming it, never silently ignored.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_args
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ledger.contract.vocabulary import Kind

REQUIRED_COLUMNS = ("report_id", "date", "expense_type", "amount", "currency", "attendees")
OPTIONAL_COLUMNS = ("line", "time", "purpose", "account", "owner", "location", "approval_ref")
DEFAULTS = ("account_id", "owner", "time", "time_zone", "date_format", "attendee_separator")
TABLES = ("columns", "defaults", "kinds", "attendees", "employees", "accounts", "skip")


class MappingError(ValueError):
    """The mapping file is unreadable or names something it may not (the message says what)."""


@dataclass(frozen=True)
class ExpenseMapping:
    """A checked mapping: column headers, defaults and the lookup tables (keys casefolded)."""

    columns: dict[str, str]
    kinds: dict[str, str]
    attendees: dict[str, str]
    employees: dict[str, str]
    accounts: dict[str, str]
    skip: frozenset[str]
    account_id: str | None = None
    owner: str | None = None
    time: str = "12:00"
    time_zone: str = "UTC"
    date_format: str = "%Y-%m-%d"
    attendee_separator: str = ";"

    def column(self, field: str) -> str | None:
        """The header of the column holding ``field``, or None when it is not mapped."""
        return self.columns.get(field)


def load_mapping(path: Path) -> ExpenseMapping:
    """Read and check a mapping file; :class:`MappingError` names the first problem."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise MappingError(f"{path}: cannot read the mapping ({exc})") from None
    return mapping_from_text(text, str(path))


def mapping_from_text(text: str, name: str = "the mapping") -> ExpenseMapping:
    """Check a mapping given as TOML text (an uploaded file, say)."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise MappingError(f"{name}: not valid TOML ({exc})") from None
    return parse_mapping(raw)


def parse_mapping(raw: dict[str, Any]) -> ExpenseMapping:
    """Check a mapping already parsed from TOML."""
    _only(raw, TABLES, "the mapping")
    columns = _strings(raw.get("columns", {}), "columns")
    _only(columns, REQUIRED_COLUMNS + OPTIONAL_COLUMNS, "[columns]")
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    if missing:
        raise MappingError(f"[columns] must name the column of {', '.join(missing)}")
    defaults = _strings(raw.get("defaults", {}), "defaults")
    _only(defaults, DEFAULTS, "[defaults]")
    if "account" not in columns and "account_id" not in defaults:
        raise MappingError("give [columns] account or [defaults] account_id")
    try:
        ZoneInfo(defaults.get("time_zone", "UTC"))
    except (ZoneInfoNotFoundError, ValueError):
        raise MappingError(f"[defaults] time_zone: unknown time zone "
                           f"{defaults['time_zone']!r}") from None
    kinds = _strings(raw.get("kinds", {}), "kinds")
    for expense_type, kind in kinds.items():
        if kind not in get_args(Kind):
            raise MappingError(f"[kinds] {expense_type!r}: {kind!r} is not an engagement kind "
                               f"(one of {', '.join(get_args(Kind))})")
    skip = raw.get("skip", [])
    if not isinstance(skip, list) or not all(isinstance(s, str) for s in skip):
        raise MappingError("skip must be a list of expense types")
    return ExpenseMapping(
        columns=columns, kinds=_folded(kinds), skip=frozenset(s.casefold() for s in skip),
        attendees=_folded(_strings(raw.get("attendees", {}), "attendees")),
        employees=_folded(_strings(raw.get("employees", {}), "employees")),
        accounts=_folded(_strings(raw.get("accounts", {}), "accounts")),
        **defaults)


def _only(table: dict[str, Any], allowed: tuple[str, ...], where: str) -> None:
    unknown = sorted(set(table) - set(allowed))
    if unknown:
        raise MappingError(f"{where}: unknown key {unknown[0]!r} (allowed: "
                           f"{', '.join(allowed)})")


def _strings(table: Any, name: str) -> dict[str, str]:
    if not isinstance(table, dict):
        raise MappingError(f"{name} must be a table")
    for key, value in table.items():
        if not isinstance(value, str) or not value.strip():
            raise MappingError(f"[{name}] {key!r} must be a non-empty string")
    return {key: value.strip() for key, value in table.items()}


def _folded(table: dict[str, str]) -> dict[str, str]:
    """Names and e-mails are matched without regard to case or surrounding spaces."""
    return {key.strip().casefold(): value for key, value in table.items()}

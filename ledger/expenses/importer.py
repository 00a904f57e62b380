"""Import an expense export: check every row, then record the file in one atomic batch.

A dry run reports per line what would be recorded, what is recorded already (a replay),
what is skipped and why a line is refused, recording nothing. A real run is atomic per
file: it records every line in one batch, or, when any line is refused, nothing at all
(and reports every refused line, not just the first). Running it twice records nothing
new: the event ids come from report id and line.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from ledger.domain.application import LedgerApplication
from ledger.domain.submission import MAX_BATCH, Principal, Receipt
from ledger.errors import LedgerError
from ledger.expenses.rows import Planned

Outcome = Literal["would record", "recorded", "already recorded", "skipped", "refused"]


@dataclass(frozen=True)
class LineResult:
    """What happened (or would happen) to one line of the export."""

    line: int
    outcome: Outcome
    detail: str


@dataclass(frozen=True)
class ImportReport:
    """Every line's result, and whether anything was recorded."""

    lines: list[LineResult]
    dry_run: bool
    receipts: tuple[Receipt, ...] = ()

    @property
    def refused(self) -> list[LineResult]:
        """The lines that stop the file from being recorded."""
        return [r for r in self.lines if r.outcome == "refused"]

    def counts(self) -> Counter[str]:
        """How many lines had each outcome."""
        return Counter(r.outcome for r in self.lines)


def describe(envelope: dict[str, Any]) -> str:
    """One line saying what an expense envelope records."""
    data = envelope["data"]
    people = ", ".join(data["participants"]) or "no participants (account cost)"
    hosts = f"; hosts {', '.join(data['hosts'])}" if data.get("hosts") else ""
    return (f"{data['kind']} {data['engagement_id']} on {envelope['occurred_at']} for "
            f"{data['account_id']}: {data['cost']['amount']} {data['cost']['currency']}, "
            f"{people}{hosts}")


def _reason(error: LedgerError) -> str:
    fields = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}"
                       for e in error.errors if e.get("loc"))
    return fields or error.detail


def check_expenses(ledger: LedgerApplication, planned: Sequence[Planned],
                   principal: Principal) -> ImportReport:
    """The dry run: each line's outcome against the ledger as it stands, nothing recorded."""
    if len(planned) > MAX_BATCH:
        raise LedgerError(f"the file holds {len(planned)} lines; at most {MAX_BATCH} are "
                          "recorded atomically: split it")
    ready = [p for p in planned if p.envelope is not None]
    verdicts = ledger.check_batch([p.envelope for p in ready], principal)
    by_line = dict(zip((p.line for p in ready), verdicts, strict=True))
    results = []
    for item in planned:
        if item.skipped:
            results.append(LineResult(item.line, "skipped", item.skipped))
        elif item.envelope is None:
            results.append(LineResult(item.line, "refused", "; ".join(item.problems)))
        elif isinstance(verdict := by_line[item.line], LedgerError):
            results.append(LineResult(item.line, "refused", _reason(verdict)))
        elif verdict == "replay":
            results.append(LineResult(item.line, "already recorded", describe(item.envelope)))
        else:
            results.append(LineResult(item.line, "would record", describe(item.envelope)))
    return ImportReport(results, dry_run=True)


def record_expenses(ledger: LedgerApplication, planned: Sequence[Planned],
                    principal: Principal) -> ImportReport:
    """The real run, atomic per file: every line recorded in one batch, or none when any
    line is refused (the report then lists them all)."""
    checked = check_expenses(ledger, planned, principal)
    if checked.refused:
        return ImportReport(checked.lines, dry_run=False)
    ready = [p for p in planned if p.envelope is not None]
    try:
        receipts = ledger.record_batch([p.envelope for p in ready], principal)
    except LedgerError as exc:  # a concurrent writer changed the ledger since the check
        line = ready[exc.index].line if exc.index is not None else ready[0].line
        refused = LineResult(line, "refused", _reason(exc))
        return ImportReport([refused if r.line == line else r for r in checked.lines],
                            dry_run=False)
    replayed = {p.line for p, r in zip(ready, receipts, strict=True) if r.replayed}
    results = [r if r.outcome == "skipped" else LineResult(
        r.line, "already recorded" if r.line in replayed else "recorded", r.detail)
        for r in checked.lines]
    return ImportReport(results, dry_run=False, receipts=tuple(receipts))

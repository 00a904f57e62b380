"""Independent oracles the projection tests share."""

from __future__ import annotations

from decimal import Decimal
from typing import Any


def spend_added_up(reports: list[dict[str, Any]]) -> tuple[Decimal, dict[Any, tuple[Decimal, int]]]:
    """The total and the groups (key → total, engagements) of spend reports added up: of
    per-account reports, the answer for those accounts together, each summed from that
    account's own engagements."""
    total = Decimal(0)
    groups: dict[Any, tuple[Decimal, int]] = {}
    for report in reports:
        total += Decimal(report["total"])
        for group in report["groups"]:
            amount, count = groups.get(group["key"], (Decimal(0), 0))
            groups[group["key"]] = (amount + Decimal(group["total"]),
                                    count + group["engagement_count"])
    return total, groups

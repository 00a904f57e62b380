"""A property of need to know (SPEC §5.5): a team token's lists are the unscoped lists
filtered to its accounts, with totals recomputed from what is left."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.domain.reach import EVERYWHERE, Reach
from projections.compliance import compliance_flags
from projections.queries import list_accounts
from projections.spend import spend_report
from tests.api.conftest import Api
from tests.unit.projections.builder import at
from tests.unit.projections.oracles import spend_added_up

ACCOUNTS = ("albion-connect", "aurora-mobile", "hikari-networks", "jade-river-mobile",
            "nordlicht-telekom", "pacific-wave")
reaches = st.one_of(st.just(EVERYWHERE),
                    st.frozensets(st.sampled_from(ACCOUNTS)).map(Reach))
points = st.sampled_from([{}, {"as_of": at("2026-01-15")},
                          {"as_of": at("2026-05-31"), "known_at": at("2026-04-30")}])
groupings = st.sampled_from(["stakeholder", "account", "owner", "kind", "month", "opportunity"])


def _merged(reports: list[dict[str, Any]]) -> tuple[str, dict[Any, tuple[str, int]]]:
    """The total and groups of the per-account reports added up (the oracle)."""
    total, groups = spend_added_up(reports)
    return f"{total:.2f}", {key: (f"{amount:.2f}", count)
                            for key, (amount, count) in groups.items()}


@settings(max_examples=25)
@given(reach=reaches, point=points, group_by=groupings)
def test_team_lists_are_the_unscoped_lists_filtered_to_the_team(demo: Api, reach: Reach,
                                                                point: dict,
                                                                group_by: str) -> None:
    """Accounts and flags: the unscoped answer filtered to the reach; spend: the groups and
    total of the reached accounts' own reports added up."""
    read = demo.runtime.read
    reached = [a for a in ACCOUNTS if reach.covers(a)]
    everyone = read(list_accounts, **point)["accounts"]
    assert read(list_accounts, reach=reach, **point)["accounts"] == [
        a for a in everyone if a["account_id"] in reached]
    flags = read(compliance_flags, **point)["flags"]
    assert read(compliance_flags, reach=reach, **point)["flags"] == [
        f for f in flags if f["account_id"] in reached]
    scoped = read(spend_report, group_by, reach=reach, **point)
    total, groups = _merged([read(spend_report, group_by, account_id=a, **point)
                             for a in reached])
    assert scoped["total"] == total
    assert {g["key"]: (g["total"], g["engagement_count"]) for g in scoped["groups"]} == groups
    assert [u["engagement_id"] for u in scoped["unconverted"]] == [
        u["engagement_id"] for u in read(spend_report, group_by, **point)["unconverted"]
        if u["account_id"] in reached]

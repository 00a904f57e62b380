"""Read endpoints: shapes, time parameters, read-your-writes, 404s and bad parameters."""

from __future__ import annotations

import pytest

from tests.api.conftest import Api
from tests.integration.helpers import base_setup, dinner, ev


@pytest.fixture
def seeded(api: Api) -> Api:
    api.post("/v1/events", ev("policy.set", "2025-12-01T00:00:00Z", base_currency="EUR"),
             api.admin)
    api.post("/v1/events/batch", {"events": [
        *base_setup(),
        ev("opportunity.opened", opportunity_id="bid-1", account_id="ACME", name="5G core"),
        ev("opportunity.stakeholder_placed", opportunity_id="bid-1", stakeholder_id="ann",
           group="final_decision", proximity=1),
        dinner("d1", "ann", "bob", occurred_at="2026-02-01T19:30:00Z"),
        ev("stakeholder.attitude_changed", "2026-02-02T10:00:00Z", stakeholder_id="ann",
           attitude=2, reason="dinner went well"),
    ]})
    return api


def test_accounts_list_has_the_documented_fields(seeded: Api) -> None:
    """tier, score, coverage, stage and spend per account."""
    body = seeded.get("/v1/accounts").json()
    row = body["accounts"][0]
    assert {"account_id", "name", "tier", "score", "decision_coverage", "org_stage",
            "total_spend"} <= set(row)
    assert row["total_spend"] == "120.00"


def test_power_map_reflects_the_attitude_change(seeded: Api) -> None:
    """Score from role weights and attitudes; the approver at 2 gives full coverage."""
    body = seeded.get("/v1/accounts/ACME/power-map").json()
    assert body["decision_coverage"] == 1.0
    ann = next(s for s in body["stakeholders"] if s["stakeholder_id"] == "ann")
    assert (ann["attitude"], ann["ladder_level"], ann["total_spend"]) == (2, 3, "60.00")


def test_as_of_a_bare_date_includes_that_whole_day(seeded: Api) -> None:
    """as_of=2026-02-01 sees the dinner of that evening but not the next day's change."""
    body = seeded.get("/v1/accounts/ACME/power-map", as_of="2026-02-01").json()
    ann = next(s for s in body["stakeholders"] if s["stakeholder_id"] == "ann")
    assert (ann["attitude"], ann["total_spend"]) == (0, "60.00")


def test_read_your_writes(seeded: Api) -> None:
    """The read right after a 201 reflects the event."""
    seeded.post("/v1/events", dinner("d2", "bob", occurred_at="2026-02-03T19:30:00Z"))
    bob = seeded.get("/v1/stakeholders/bob").json()
    assert bob["total_spend"] == "180.00"


def test_min_position_beyond_the_log_is_a_422_naming_the_head(seeded: Api) -> None:
    """No retry can make a position beyond the log's head true: 422, naming position 8."""
    response = seeded.get("/v1/accounts", min_position=10_000)
    assert response.status_code == 422
    body = response.json()
    assert "8" in body["detail"] and body["errors"][0]["loc"] == ["query", "min_position"]
    assert seeded.get("/v1/accounts", min_position=8).status_code == 200


@pytest.mark.parametrize("path", ["/v1/accounts/NOPE/power-map", "/v1/stakeholders/NOPE",
                                  "/v1/stakeholders/NOPE/history",
                                  "/v1/opportunities/NOPE/fishbone",
                                  "/v1/accounts/NOPE/handover"])
def test_unknown_ids_are_404_problems(seeded: Api, path: str) -> None:
    """Unknown resources: 404 problem documents."""
    response = seeded.get(path)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("params", [{"as_of": "yesterday"}, {"known_at": "2026-13-01"},
                                    {"as_of": "2026-02-01T10:00:00"},
                                    {"as_of": "0001-01-01"},
                                    {"known_at": "0001-01-01T00:00:00+14:00"},
                                    {"known_at": "9999-12-31T23:59:59-14:00"}])
def test_bad_time_parameters_are_422(seeded: Api, params: dict) -> None:
    """Dates that are not RFC 3339 (with offset) or YYYY-MM-DD are refused and named, and
    so are moments before 1900 or after year 9999 in UTC."""
    response = seeded.get("/v1/accounts", **params)
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["query", next(iter(params))]


EDGES = [{"as_of": "9999-12-31"}, {"known_at": "9999-12-31T23:59:59+14:00"},
         {"as_of": "1900-01-01"}]
WINDOW = {"from": "1900-01-01", "to": "9999-12-31"}


@pytest.mark.parametrize(("path", "params"), [
    ("/v1/accounts", {}), ("/v1/accounts/ACME/power-map", {}),
    ("/v1/accounts/ACME/handover", {}), ("/v1/accounts/ACME/handover", {"format": "html"}),
    ("/v1/stakeholders/ann", {}), ("/v1/stakeholders/ann/history", {}),
    ("/v1/reports/spend", {"group_by": "stakeholder"}),
    ("/v1/reports/spend", {"group_by": "stakeholder", **WINDOW}),
    ("/v1/compliance/flags", {}), ("/v1/compliance/flags", WINDOW)])
def test_every_read_answers_at_the_edges_of_time(seeded: Api, path: str, params: dict) -> None:
    """As of the last day of year 9999 or the first of 1900, and over the whole range:
    answers, not 500s (the end of a bare date and the reads' windows once overflowed)."""
    for edge in EDGES:
        response = seeded.get(path, **params, **edge)
        # In 1900 the account and its people were not registered yet: a 404 that says so.
        expected = (200, 404) if edge.get("as_of") == "1900-01-01" else (200,)
        assert response.status_code in expected, (edge, response.text)


def test_spend_report_groups_within_an_inclusive_window(seeded: Api) -> None:
    """from/to bare dates cover whole days; totals are base-currency strings."""
    body = seeded.get("/v1/reports/spend", group_by="stakeholder", **{"from": "2026-02-01",
                                                                     "to": "2026-02-01"}).json()
    assert body["total"] == "120.00" and body["currency"] == "EUR"
    assert {g["key"]: g["total"] for g in body["groups"]} == {"ann": "60.00", "bob": "60.00"}
    assert seeded.get("/v1/reports/spend", group_by="colour").status_code == 422


def test_fishbone_lists_placed_stakeholders(seeded: Api) -> None:
    """The placed approver appears in her group with proximity and attitude."""
    body = seeded.get("/v1/opportunities/bid-1/fishbone").json()
    assert body["groups"]["final_decision"][0]["stakeholder_id"] == "ann"


def test_stakeholder_history_has_running_state(seeded: Api) -> None:
    """Steps in occurred_at order with role, attitude, ladder and spend after each."""
    steps = seeded.get("/v1/stakeholders/ann/history").json()["steps"]
    assert [s["attitude"] for s in steps][-1] == 2
    assert steps[-1]["total_spend"] == "60.00"


def test_compliance_flags_filter_by_flag(seeded: Api) -> None:
    """An unknown flag name is a 422; a known one filters."""
    assert seeded.get("/v1/compliance/flags", flag="late_entry").status_code == 200
    assert seeded.get("/v1/compliance/flags", flag="nonsense").status_code == 422


def test_healthz_reports_positions(seeded: Api) -> None:
    """Liveness with the log's and the views' positions."""
    body = seeded.client.get("/healthz").json()
    assert body["status"] == "ok" and body["log_position"] == 8
    assert body["views_position"] == 8 and body["lag"] == 0 and body["reason"] is None


def test_a_forgotten_stakeholder_reads_forgotten_everywhere(seeded: Api) -> None:
    """After erasure the name is [forgotten] in views and the audit log; figures remain."""
    assert seeded.post("/v1/events", ev("stakeholder.forgotten", stakeholder_id="ann",
                                        reason="erasure request"), seeded.admin).status_code == 201
    power = seeded.get("/v1/accounts/ACME/power-map").json()
    ann = next(s for s in power["stakeholders"] if s["stakeholder_id"] == "ann")
    assert ann["name"] == "[forgotten]" and ann["total_spend"] == "60.00"
    log = seeded.get("/v1/audit/events", seeded.auditor, type="stakeholder.registered").json()
    names = {e["data"]["stakeholder_id"]: e["data"]["name"] for e in log["events"]}
    assert names == {"ann": "[forgotten]", "bob": "Person bob"}
    assert seeded.get("/v1/audit/verify", seeded.auditor).json()["ok"] is True


def test_api_answers_carry_the_security_headers_of_the_ui(seeded: Api) -> None:
    """JSON, problem documents and CSV say nosniff; an HTML brief may not be framed."""
    for response in (seeded.get("/v1/accounts"), seeded.get("/v1/stakeholders/NOPE"),
                     seeded.client.get("/healthz")):
        assert response.headers["x-content-type-options"] == "nosniff"
    page = seeded.get("/v1/accounts/ACME/handover", format="html")
    assert page.headers["content-type"].startswith("text/html")
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert page.headers["x-frame-options"] == "DENY"

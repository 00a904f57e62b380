"""The access log and subject access (SPEC §5.5): who looked at this person, and
everything the ledger holds about them."""

from __future__ import annotations

import pytest

from tests.api.conftest import Api, bearer
from tests.api.routes.conftest import ACCOUNT

LOG = "/v1/audit/access"


@pytest.fixture
def person(demo: Api) -> dict:
    """A key person of the demo's Nordlicht Telekom, as the admin sees them now."""
    power_map = demo.get(f"/v1/accounts/{ACCOUNT}/power-map", demo.admin).json()
    return next(s for s in power_map["stakeholders"] if s["layer"] == "key")


def test_a_read_by_a_token_shows_up_under_its_name(demo: Api, person: dict) -> None:
    """A team token reads a person; the log names the token, role, route, account and
    person, and every filter finds the row."""
    token = bearer(demo.runtime.tokens.create("laura.brenner", "recorder", "team"))
    sid = person["stakeholder_id"]
    assert demo.get(f"/v1/stakeholders/{sid}/history", token).status_code == 200
    read = ("laura.brenner", "recorder", f"GET /v1/stakeholders/{sid}/history", ACCOUNT, sid)
    for query in ({"stakeholder_id": sid}, {"token": "laura.brenner"},
                  {"account_id": ACCOUNT, "token": "laura.brenner"}):
        rows = demo.get(LOG, demo.auditor, **query).json()["entries"]
        # Asking about the person also finds the fixture's power map of her account.
        assert [(r["token"], r["role"], r["route"], r["account_id"], r["stakeholder_id"])
                for r in rows][-1:] == [read]
        assert len(rows) == (2 if "stakeholder_id" in query else 1)


def test_bulk_reads_write_one_row_and_count_for_everyone_they_showed(demo: Api,
                                                                      person: dict) -> None:
    """A power map is one row naming the account, found when asking about any of its
    people; an audit page is one row naming its range; reads without personal fields
    write nothing."""
    before = len(demo.get(LOG, demo.admin, limit=1000).json()["entries"])
    demo.get("/v1/accounts")
    demo.get("/v1/reports/spend", group_by="kind")
    demo.get(f"/v1/accounts/{ACCOUNT}/power-map")
    demo.get("/v1/audit/events", demo.auditor, limit=5)
    rows = demo.get(LOG, demo.admin, limit=1000).json()["entries"][before:]
    assert [(r["route"], r["account_id"], r["stakeholder_id"], r["detail"]) for r in rows] == [
        (f"GET /v1/accounts/{ACCOUNT}/power-map", ACCOUNT, None, None),
        ("GET /v1/audit/events", None, None, "format=json after=0 limit=5")]
    about = demo.get(LOG, demo.auditor, stakeholder_id=person["stakeholder_id"]).json()
    assert [r["route"] for r in about["entries"]] == [  # the fixture's power map first
        f"GET /v1/accounts/{ACCOUNT}/power-map", f"GET /v1/accounts/{ACCOUNT}/power-map",
        "GET /v1/audit/events"]
    other = demo.get(LOG, demo.auditor, stakeholder_id="hk-someone-else").json()
    assert [r["route"] for r in other["entries"]] == ["GET /v1/audit/events"]


def test_the_access_log_is_paged_with_a_cursor(demo: Api, person: dict) -> None:
    """limit and cursor walk the rows oldest first; the last page has no next_cursor."""
    for _ in range(2):  # and the fixture's power map
        demo.get(f"/v1/stakeholders/{person['stakeholder_id']}")
    seen, cursor = [], None
    while True:
        page = demo.get(LOG, demo.admin, limit=2, **({"cursor": cursor} if cursor else {}))
        body = page.json()
        seen += [r["id"] for r in body["entries"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == 3 and seen == sorted(seen)
    assert demo.get(LOG, demo.admin, cursor="x").status_code == 422


def test_only_unscoped_auditors_and_admins_read_the_log(demo: Api) -> None:
    """Recorders and team tokens get 403."""
    team = bearer(demo.runtime.tokens.create("priya.raman", "auditor", "team"))
    assert [demo.get(LOG, who).status_code for who in (
        demo.admin, demo.auditor, demo.recorder, team)] == [200, 200, 403, 403]


def test_the_subject_export_holds_events_figures_and_who_looked(demo: Api,
                                                               person: dict) -> None:
    """Every event naming the person with fields opened, their figures, the access rows."""
    sid = person["stakeholder_id"]
    reader = bearer(demo.runtime.tokens.create("felix.hartmann", "recorder"))
    demo.get(f"/v1/stakeholders/{sid}", reader)
    export = demo.get(f"/v1/stakeholders/{sid}/export", demo.admin)
    assert export.status_code == 200
    body = export.json()
    assert body["figures"]["name"] == person["name"]
    assert body["events"][0]["type"] == "stakeholder.registered"
    assert body["events"][0]["data"]["name"] == person["name"]
    # The rest are the corrections, voids and approvals of engagements that named them.
    assert {e["type"] for e in body["events"] if sid not in str(e["data"])} <= {
        "engagement.corrected", "engagement.voided", "engagement.approved"}
    assert any(e["type"] == "engagement.recorded" for e in body["events"])
    assert body["figures"]["engagement_count"] <= sum(
        e["type"] == "engagement.recorded" for e in body["events"])
    assert ("felix.hartmann", f"GET /v1/stakeholders/{sid}") in {
        (r["token"], r["route"]) for r in body["access_log"]}
    logged = demo.get(LOG, demo.admin, stakeholder_id=sid).json()["entries"]
    assert logged[-1]["detail"] == "subject export"


def test_the_export_works_after_erasure_and_shows_no_personal_value(demo: Api,
                                                                   person: dict) -> None:
    """After stakeholder.forgotten every personal field reads "[forgotten]"."""
    sid = person["stakeholder_id"]
    before = demo.get(f"/v1/stakeholders/{sid}/export", demo.admin).json()
    registered = before["events"][0]["data"]
    personal = [registered[name] for name in ("name", "title", "notes", "birthday")
                if registered.get(name)]
    forgotten = demo.post("/v1/events", {"type": "stakeholder.forgotten",
                                         "occurred_at": "2026-06-29T10:00:00Z",
                                         "data": {"stakeholder_id": sid,
                                                  "reason": "erasure request"}}, demo.admin)
    assert forgotten.status_code == 201
    after = demo.get(f"/v1/stakeholders/{sid}/export", demo.admin)
    assert after.status_code == 200
    assert after.json()["forgotten"] is True
    assert after.json()["events"][0]["data"]["name"] == "[forgotten]"
    assert personal and not [value for value in personal if value in after.text]


def test_only_admins_export_a_person(demo: Api, person: dict) -> None:
    """Auditors and recorders get 403; an unknown person is a 404."""
    path = f"/v1/stakeholders/{person['stakeholder_id']}/export"
    assert [demo.get(path, who).status_code for who in (demo.auditor, demo.recorder)] == [
        403, 403]
    assert demo.get("/v1/stakeholders/nobody/export", demo.admin).status_code == 404


def test_a_logged_read_says_how_long_its_row_took(demo: Api, person: dict) -> None:
    """The Server-Timing header of a logged read names the access-log append (the bench
    reads it); a read without personal fields has none."""
    timing = demo.get(f"/v1/stakeholders/{person['stakeholder_id']}").headers["server-timing"]
    assert timing.startswith("access-log;dur=") and float(timing.split("=")[1]) >= 0
    assert "server-timing" not in demo.get("/v1/accounts").headers

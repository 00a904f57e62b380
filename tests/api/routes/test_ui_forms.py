"""The web UI's forms over the demo data: they record through the API's own write path."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import Api
from tests.api.routes.conftest import ACCOUNT
from tests.api.routes.test_ui import sign_in as login

PERSON = "nt-anja-lorenz"
WHEN = {"occurred_at": "2026-06-29T19:30", "time_zone": "Europe/Berlin"}


def sign_in(demo: Api, headers: dict[str, str]) -> TestClient:
    """The demo's client signed in to the UI with the token of ``headers``."""
    token = headers["Authorization"].removeprefix("Bearer ")
    assert login(demo.client, token).status_code == 303
    return demo.client


@pytest.fixture
def recorder(demo: Api) -> TestClient:
    """The UI signed in as a recorder."""
    return sign_in(demo, demo.recorder)


def hidden(html: str, name: str) -> str:
    """The value of a form's hidden input."""
    match = re.search(rf'<input type="hidden" name="{name}" value="([^"]*)"', html)
    assert match, f"no hidden {name}"
    return match.group(1)


def prefilled(html: str) -> dict[str, Any]:
    """What a browser would send of a form untouched: inputs' values, chosen options,
    ticked boxes."""
    found: dict[str, Any] = {}
    for tag in re.findall(r"<input[^>]*>", html):
        name, value = re.search(r'name="([^"]+)"', tag), re.search(r'value="([^"]*)"', tag)
        if not name or not value or ('type="checkbox"' in tag and " checked" not in tag):
            continue
        found.setdefault(name.group(1), []).append(value.group(1))
    for name, body in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', html,
                                 re.DOTALL):
        chosen = re.search(r'<option value="([^"]*)" selected>', body)
        found[name] = [chosen.group(1) if chosen else ""]
    for name, body in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', html,
                                 re.DOTALL):
        found[name] = [body]
    return {k: v[0] if len(v) == 1 and k != "participants" else v for k, v in found.items()}


def fill(client: TestClient, path: str, **fields: Any) -> dict[str, Any]:
    """Open the form at ``path`` and return what it holds with ``fields`` typed in."""
    page = client.get(path)
    assert page.status_code == 200, page.text
    return {**prefilled(page.text), **fields}


def events_of(demo: Api, event_type: str) -> list[dict[str, Any]]:
    """Every stored event of a type, from the audit export."""
    found, after = [], 0
    while after is not None:
        page = demo.get("/v1/audit/events", headers=demo.admin, type=event_type, limit=1000,
                        after=after).json()
        found += page["events"]
        after = page["next_after"]
    return found


def gift(client: TestClient, **extra: Any) -> dict[str, Any]:
    return fill(client, f"/ui/accounts/{ACCOUNT}/engagements/new", kind="gift",
                participants=[PERSON], cost_amount="180.00", cost_currency="EUR",
                location="Bonn", **WHEN, **extra)


def test_the_record_form_offers_kinds_with_their_ladder_level_and_present_people(
        recorder: TestClient, demo: Api) -> None:
    """Kinds show their ladder level; participants are the account's present stakeholders."""
    html = recorder.get(f"/ui/accounts/{ACCOUNT}/engagements/new").text
    assert "Home visit (ladder 5)" in html and "Office visit (ladder 1)" in html
    present = {p["stakeholder_id"] for p in
               demo.get(f"/v1/accounts/{ACCOUNT}/power-map").json()["stakeholders"]}
    offered = set(re.findall(r'name="participants" value="([^"]+)"', html))
    assert offered == present
    assert 'name="csrf"' in html and 'name="event_id"' in html


def test_a_gift_over_the_limit_lands_on_the_timeline_with_its_flag(
        recorder: TestClient) -> None:
    """After recording, the person's timeline shows the entry and the flag it raised."""
    form = gift(recorder)
    response = recorder.post(f"/ui/accounts/{ACCOUNT}/engagements/new", data=form,
                             follow_redirects=False)
    assert response.status_code == 303, response.text
    target = response.headers["location"]
    assert target.startswith(f"/ui/stakeholders/{PERSON}?") and "min_position=" in target
    page = recorder.get(target).text
    engagement_id = f"eng-{form['event_id'][:8]}"
    assert f'data-recorded="{engagement_id}"' in page
    assert 'data-flag="gift_over_limit"' in page
    assert ("This gift to Anja Lorenz (nt-anja-lorenz) is 180.00 EUR, over the 150.00 EUR "
            "limit per gift: pre-approval needed") in page
    assert f'href="/ui/engagements/{engagement_id}"' in page


def test_the_form_stores_exactly_the_event_the_api_would(recorder: TestClient,
                                                         demo: Api) -> None:
    """The same input posted as JSON with the form's event id is a replay (same content)."""
    form = gift(recorder, hosts="li.na, max.weber", notes="Porcelain vase",
                **{f"allocation.{PERSON}": "180.00"})
    recorder.post(f"/ui/accounts/{ACCOUNT}/engagements/new", data=form)
    engagement_id = f"eng-{form['event_id'][:8]}"
    envelope = {"event_id": form["event_id"], "type": "engagement.recorded",
                "occurred_at": "2026-06-29T19:30:00+02:00",
                "data": {"engagement_id": engagement_id, "account_id": ACCOUNT,
                         "kind": "gift", "participants": [PERSON], "owner": "crm-sync",
                         "hosts": ["li.na", "max.weber"],
                         "cost": {"amount": "180.00", "currency": "EUR"},
                         "allocation": {PERSON: "180.00"}, "location": "Bonn",
                         "notes": "Porcelain vase"}}
    replay = demo.post("/v1/events", envelope)
    assert replay.status_code == 200, replay.text
    stored = [e for e in events_of(demo, "engagement.recorded")
              if e["event_id"] == form["event_id"]]
    assert len(stored) == 1 and stored[0]["recorded_by"] == "crm-sync"
    assert stored[0]["occurred_at"] == envelope["occurred_at"]
    assert {k: stored[0]["data"].get(k) for k in envelope["data"]} == envelope["data"]


def test_a_bad_form_is_shown_again_with_the_message_beside_the_field(
        recorder: TestClient, demo: Api) -> None:
    """A bad currency: 422, the message under the currency input, every value kept."""
    before = len(events_of(demo, "engagement.recorded"))
    form = gift(recorder)
    form["cost_currency"] = "EUX"
    response = recorder.post(f"/ui/accounts/{ACCOUNT}/engagements/new", data=form)
    assert response.status_code == 422
    html = response.text
    assert re.search(r'id="cost_currency-error"[^>]*>[^<]*EUX', html) or \
        re.search(r'id="cost_currency-error"[^>]*>[^<]*currency', html)
    assert 'value="EUX"' in html and 'value="Bonn"' in html and 'value="180.00"' in html
    assert re.search(rf'value="{PERSON}" checked', html)
    assert hidden(html, "event_id") == form["event_id"]
    assert len(events_of(demo, "engagement.recorded")) == before


def test_a_rule_violation_points_at_its_field(recorder: TestClient) -> None:
    """A gift with nobody to receive it: the message sits beside the participants."""
    form = gift(recorder)
    form["participants"] = []
    response = recorder.post(f"/ui/accounts/{ACCOUNT}/engagements/new", data=form)
    assert response.status_code == 422
    assert re.search(r'id="participants-error"[^>]*>[^<]*needs at least one participant',
                     response.text)


def test_a_double_submit_records_one_event(recorder: TestClient, demo: Api) -> None:
    """The second post of the same form is a replay and lands on the same page."""
    form = gift(recorder)
    first = recorder.post(f"/ui/accounts/{ACCOUNT}/engagements/new", data=form,
                          follow_redirects=False)
    second = recorder.post(f"/ui/accounts/{ACCOUNT}/engagements/new", data=form,
                           follow_redirects=False)
    assert first.status_code == second.status_code == 303
    assert first.headers["location"] == second.headers["location"]
    assert [e["event_id"] for e in events_of(demo, "engagement.recorded")].count(
        form["event_id"]) == 1


@pytest.mark.parametrize("change", [{"csrf": "forged"}, {"headers": {
    "Origin": "https://evil.example"}}])
def test_a_cross_site_post_records_nothing(recorder: TestClient, demo: Api,
                                           change: dict[str, Any]) -> None:
    """A wrong CSRF token or a foreign Origin is refused with 403."""
    form = gift(recorder)
    headers = change.pop("headers", None)
    form.update(change)
    response = recorder.post(f"/ui/accounts/{ACCOUNT}/engagements/new", data=form,
                             headers=headers)
    assert response.status_code == 403
    assert form["event_id"] not in {e["event_id"] for e in
                                    events_of(demo, "engagement.recorded")}


def test_an_auditor_sees_no_form_and_cannot_post_one(demo: Api) -> None:
    """Auditors cannot write: no links, 403 on the form and on a post."""
    client = sign_in(demo, demo.auditor)
    assert "/engagements/new" not in client.get(f"/ui/accounts/{ACCOUNT}").text
    assert client.get(f"/ui/accounts/{ACCOUNT}/engagements/new").status_code == 403
    response = client.post(f"/ui/stakeholders/{PERSON}/attitude", data={
        "attitude": "2", "reason": "x", **WHEN, "event_id": str(uuid.uuid4())})
    assert response.status_code == 403


def test_an_attitude_change_needs_a_reason_and_then_shows_on_the_timeline(
        recorder: TestClient, demo: Api) -> None:
    """Without a reason the form comes back; with one the new attitude is on the page."""
    path = f"/ui/stakeholders/{PERSON}/attitude"
    form = fill(recorder, path, attitude="3", reason="", **WHEN)
    refused = recorder.post(path, data=form)
    assert refused.status_code == 422
    assert re.search(r'id="reason-error"', refused.text)
    assert re.search(r'<option value="3" selected>', refused.text)
    form["reason"] = "Told us how the evaluation is weighted"
    page = recorder.post(path, data=form)
    assert page.status_code == 200 and f"/ui/stakeholders/{PERSON}" in str(page.url)
    assert demo.get(f"/v1/stakeholders/{PERSON}").json()["attitude"] == 3
    assert 'data-figure="attitude" value="3"' in page.text


def test_role_change_and_registration_go_through_the_ledger(recorder: TestClient,
                                                             demo: Api) -> None:
    """A new stakeholder is registered, then promoted; the API shows both."""
    path = f"/ui/accounts/{ACCOUNT}/stakeholders/new"
    form = fill(recorder, path, stakeholder_id="nt-new-person", name="Neue Person",
                role="evaluator", attitude="1", layer="key", public_official="on", **WHEN)
    page = recorder.post(path, data=form)
    assert page.status_code == 200 and "/ui/stakeholders/nt-new-person" in str(page.url)
    again = fill(recorder, path, stakeholder_id="nt-new-person", name="Dup", **WHEN)
    refused = recorder.post(path, data=again)
    assert refused.status_code == 422 and 'id="stakeholder_id-error"' in refused.text
    role = "/ui/stakeholders/nt-new-person/role"
    recorder.post(role, data=fill(recorder, role, role="approver", **WHEN))
    person = demo.get("/v1/stakeholders/nt-new-person").json()
    assert (person["role"], person["attitude"], person["public_official"]) == (
        "approver", 1, True)


def test_an_engagement_is_approved_corrected_and_voided_from_its_page(
        recorder: TestClient, demo: Api) -> None:
    """Approval clears the flag; a correction changes the cost; a void needs a reason."""
    form = gift(recorder)
    recorder.post(f"/ui/accounts/{ACCOUNT}/engagements/new", data=form)
    eid = f"eng-{form['event_id'][:8]}"
    page = recorder.get(f"/ui/engagements/{eid}").text
    assert f"/ui/engagements/{eid}/void" in page
    approve = f"/ui/engagements/{eid}/approve"
    recorder.post(approve, data=fill(recorder, approve, approval_ref="PA-77", **WHEN))
    correct = f"/ui/engagements/{eid}/correct"
    correction = fill(recorder, correct, reason="Receipt says 120", cost_amount="120.00",
                      **WHEN)
    assert correction["participants"] == [PERSON] and correction["location"] == "Bonn"
    corrected = recorder.post(correct, data=correction)
    assert corrected.status_code == 200, corrected.text
    stored = [e for e in events_of(demo, "engagement.corrected")
              if e["data"]["engagement_id"] == eid]
    assert stored[0]["data"]["changes"] == {"cost": {"amount": "120.00", "currency": "EUR"}}
    void = f"/ui/engagements/{eid}/void"
    refused = recorder.post(void, data=fill(recorder, void, reason="", **WHEN))
    assert refused.status_code == 422 and 'id="reason-error"' in refused.text
    voided = recorder.post(void, data=fill(recorder, void, reason="Entered twice", **WHEN))
    assert 'data-status="voided"' in voided.text
    flags = demo.get("/v1/compliance/flags", account_id=ACCOUNT, open="true").json()["flags"]
    assert eid not in {f["engagement_id"] for f in flags}


AT = {"occurred_at": "2026-06-29T09:15", "time_zone": "Asia/Shanghai"}
STAMP = "2026-06-29T09:15:00+08:00"


def _recorded_gift(recorder: TestClient) -> str:
    form = gift(recorder)
    recorder.post(f"/ui/accounts/{ACCOUNT}/engagements/new", data=form)
    return f"eng-{form['event_id'][:8]}"


@pytest.mark.parametrize("case", ["register", "attitude", "role", "approve", "void",
                                  "correct"])
def test_every_form_stores_the_event_the_api_would_for_the_same_input(
        recorder: TestClient, demo: Api, case: str) -> None:
    """Posting the form, then the same input as JSON with the form's event id, is a replay:
    the stored content is identical (same idempotency digest)."""
    eid = _recorded_gift(recorder) if case in ("approve", "void", "correct") else ""
    path, typed, event_type, data = {
        "register": (f"/ui/accounts/{ACCOUNT}/stakeholders/new",
                     {"stakeholder_id": "nt-wang-fang", "name": "Wang Fang",
                      "title": "CTO office", "role": "decision_supporter", "attitude": "1",
                      "layer": "key", "rising_star": "on", "birthday": "1980-05-04"},
                     "stakeholder.registered",
                     {"stakeholder_id": "nt-wang-fang", "account_id": ACCOUNT,
                      "name": "Wang Fang", "title": "CTO office", "role": "decision_supporter",
                      "attitude": 1, "layer": "key", "rising_star": True,
                      "public_official": False, "birthday": "1980-05-04"}),
        "attitude": (f"/ui/stakeholders/{PERSON}/attitude",
                     {"attitude": "-1", "reason": "Backs the rival bid", "observed_by": "li.na"},
                     "stakeholder.attitude_changed",
                     {"stakeholder_id": PERSON, "attitude": -1,
                      "reason": "Backs the rival bid", "observed_by": "li.na"}),
        "role": (f"/ui/stakeholders/{PERSON}/role", {"role": "approver", "reason": "Promoted"},
                 "stakeholder.role_changed",
                 {"stakeholder_id": PERSON, "role": "approver", "reason": "Promoted"}),
        "approve": (f"/ui/engagements/{eid}/approve",
                    {"approval_ref": "PA-9", "approver": "cfo"}, "engagement.approved",
                    {"engagement_id": eid, "approval_ref": "PA-9", "approver": "cfo"}),
        "void": (f"/ui/engagements/{eid}/void", {"reason": "Duplicate"}, "engagement.voided",
                 {"engagement_id": eid, "reason": "Duplicate"}),
        "correct": (f"/ui/engagements/{eid}/correct",
                    {"cost_amount": "140.00", "hosts": "li.na", "reason": "Receipt"},
                    "engagement.corrected",
                    {"engagement_id": eid, "reason": "Receipt",
                     "changes": {"cost": {"amount": "140.00", "currency": "EUR"},
                                 "hosts": ["li.na"]}}),
    }[case]
    form = fill(recorder, path, **AT, **typed)
    page = recorder.post(path, data=form)
    assert page.status_code == 200, page.text
    replay = demo.post("/v1/events", {"event_id": form["event_id"], "type": event_type,
                                      "occurred_at": STAMP, "data": data})
    assert replay.status_code == 200, replay.text
    stored = [e for e in events_of(demo, event_type) if e["event_id"] == form["event_id"]]
    assert len(stored) == 1 and stored[0]["occurred_at"] == STAMP


def test_an_engagement_without_participants_lands_on_its_own_page(
        recorder: TestClient) -> None:
    """A summit has nobody's timeline to show it: its page shows it, with no flag."""
    path = f"/ui/accounts/{ACCOUNT}/engagements/new"
    form = fill(recorder, path, kind="summit", cost_amount="2500.00", cost_currency="EUR",
                **WHEN)
    response = recorder.post(path, data=form, follow_redirects=False)
    eid = f"eng-{form['event_id'][:8]}"
    assert response.headers["location"].startswith(f"/ui/engagements/{eid}?")
    page = recorder.get(response.headers["location"]).text
    assert f'data-recorded="{eid}"' in page and 'data-flag="missing_approval"' in page


def test_a_form_sent_again_with_other_values_says_so(recorder: TestClient, demo: Api) -> None:
    """Back, change the amount, send: not a 409 page, the form explains; one event stays."""
    form = gift(recorder)
    recorder.post(f"/ui/accounts/{ACCOUNT}/engagements/new", data=form)
    form["cost_amount"] = "90.00"
    again = recorder.post(f"/ui/accounts/{ACCOUNT}/engagements/new", data=form)
    assert again.status_code == 422 and "open a new form" in again.text
    stored = [e for e in events_of(demo, "engagement.recorded")
              if e["event_id"] == form["event_id"]]
    assert [e["data"]["cost"]["amount"] for e in stored] == ["180.00"]


def test_a_team_token_has_forms_only_for_its_accounts(demo: Api) -> None:
    """Albion Connect's manager records there; another account's form and post are 404."""
    token = demo.runtime.tokens.create("priya.raman", "recorder", scope="team")
    client = sign_in(demo, {"Authorization": f"Bearer {token}"})
    assert client.get(f"/ui/accounts/{ACCOUNT}/engagements/new").status_code == 404
    assert client.get(f"/ui/stakeholders/{PERSON}/attitude").status_code == 404
    own = "/ui/accounts/albion-connect/engagements/new"
    assert client.get(own).status_code == 200
    foreign = fill(client, own, kind="dinner", participants=[PERSON], cost_amount="50.00",
                   cost_currency="EUR", **WHEN)
    refused = client.post(own, data=foreign)  # another account's person: as if unknown
    assert refused.status_code == 422
    assert re.search(r'id="participants-error"[^>]*>[^<]*unknown stakeholder', refused.text)

"""The engagement page's whole record from the log, flags linking to it, and the accounts
list with owners, open flags, totals and sorting."""

from __future__ import annotations

import re
from decimal import Decimal

from fastapi.testclient import TestClient

from tests.api.conftest import Api
from tests.api.routes.conftest import ACCOUNT
from tests.api.routes.test_ui import figures, section
from tests.api.routes.test_ui_forms import events_of, fill, gift, sign_in


def test_the_engagement_page_lists_each_event_with_who_recorded_it_and_why(
        demo: Api) -> None:
    """Recorded, corrected and voided each appear once, with recorded_by from the log."""
    recorder = sign_in(demo, demo.recorder)
    form = gift(recorder)
    recorder.post(f"/ui/accounts/{ACCOUNT}/engagements/new", data=form)
    eid = f"eng-{form['event_id'][:8]}"
    correct = f"/ui/engagements/{eid}/correct"
    recorder.post(correct, data=fill(recorder, correct, reason="Receipt says 120",
                                     cost_amount="120.00", occurred_at="2026-06-29T19:30",
                                     time_zone="Europe/Berlin"))
    void = f"/ui/engagements/{eid}/void"
    recorder.post(void, data=fill(recorder, void, reason="Entered twice",
                                  occurred_at="2026-06-30T10:00", time_zone="Europe/Berlin"))
    page = recorder.get(f"/ui/engagements/{eid}").text
    stored = {e["type"]: e for kind in ("engagement.recorded", "engagement.corrected",
                                        "engagement.voided")
              for e in events_of(demo, kind) if e["data"]["engagement_id"] == eid}
    assert len(stored) == 3
    for kind, reason in (("engagement.recorded", "–"),
                         ("engagement.corrected", "Receipt says 120"),
                         ("engagement.voided", "Entered twice")):
        row = section(page, "data-event", kind)
        assert f'data-position="{stored[kind]["position"]}"' in row
        assert f'<td data-field="recorded_by">{stored[kind]["recorded_by"]}</td>' in row
        assert f'<td data-field="reason">{reason}</td>' in row
    assert len(re.findall(r"<tr data-event=", page)) == 3


def test_each_flag_on_the_compliance_page_links_to_its_engagement_page(
        demo: Api) -> None:
    """The engagement id of a flag row opens that engagement's page."""
    auditor = sign_in(demo, demo.auditor)
    page = auditor.get("/ui/compliance").text
    rows = re.findall(r'<tr data-flag="[^"]+" data-engagement="([^"]+)">(.*?)</tr>', page,
                      re.DOTALL)
    assert rows
    for eid, row in rows[:3]:
        assert f'href="/ui/engagements/{eid}"' in row
    opened = auditor.get(f"/ui/engagements/{rows[0][0]}")
    assert opened.status_code == 200 and f'data-engagement="{rows[0][0]}"' in opened.text


def _rows(page: str) -> dict[str, dict[str, str]]:
    ids = re.findall(r'<tr data-account="([^"]+)">', page)
    return {aid: figures(section(page, "data-account", aid)) for aid in ids}


def test_the_accounts_page_shows_owners_open_flags_and_a_totals_row(demo: Api) -> None:
    """Owner as the handover's team, open flags as the compliance read, totals as sums."""
    page = sign_in(demo, demo.auditor).get("/ui/").text
    rows = _rows(page)
    assert rows
    for aid in rows:
        team = demo.get(f"/v1/accounts/{aid}/handover", headers=demo.auditor).json()["team"]
        row = section(page, "data-account", aid)
        owner = team["owner"] if team else "–"
        assert f'<td data-figure="owner">{owner}</td>' in row
        flags = demo.get("/v1/compliance/flags", headers=demo.auditor, account_id=aid,
                         open="true").json()["flags"]
        assert rows[aid]["open_flags"] == str(len(flags))
    assert any(re.search(r'data-figure="owner">[^–<]', section(page, "data-account", a))
               for a in rows)
    totals = figures(re.search(r"<tr data-totals>.*?</tr>", page, re.DOTALL)[0])
    assert Decimal(totals["total_spend"]) == sum(Decimal(r["total_spend"])
                                                 for r in rows.values())
    assert int(totals["open_flags"]) == sum(int(r["open_flags"]) for r in rows.values())
    assert int(totals["open_flags"]) > 0


def test_sorting_the_accounts_by_spend_orders_the_rows_both_ways(demo: Api) -> None:
    """``sort=spend`` ascends, ``sort=-spend`` descends; the header links flip the order."""
    client: TestClient = sign_in(demo, demo.auditor)
    plain = client.get("/ui/").text
    assert 'href="/ui/?sort=spend"' in plain
    up = client.get("/ui/", params={"sort": "spend"}).text
    down = client.get("/ui/", params={"sort": "-spend"}).text
    ups = [Decimal(r["total_spend"]) for r in _rows(up).values()]
    downs = [Decimal(r["total_spend"]) for r in _rows(down).values()]
    assert ups == sorted(ups) and downs == sorted(downs, reverse=True)
    assert len(set(ups)) > 1 and sorted(_rows(up)) == sorted(_rows(plain))
    assert 'href="/ui/?sort=-spend"' in up
    refused = client.get("/ui/", params={"sort": "colour"})
    assert refused.status_code == 422


def test_an_engagement_outside_the_tokens_reach_shows_no_record(demo: Api) -> None:
    """A team token off the account's team gets the not-found page, and no event of it."""
    recorder = sign_in(demo, demo.recorder)
    form = gift(recorder)
    recorder.post(f"/ui/accounts/{ACCOUNT}/engagements/new", data=form)
    eid = f"eng-{form['event_id'][:8]}"
    assert 'data-event="engagement.recorded"' in recorder.get(f"/ui/engagements/{eid}").text
    outsider = demo.runtime.tokens.create("chen.jing", "recorder", "team")
    page = sign_in(demo, {"Authorization": f"Bearer {outsider}"}).get(f"/ui/engagements/{eid}")
    assert page.status_code == 404
    assert "data-event=" not in page.text and 'data-list="record"' not in page.text

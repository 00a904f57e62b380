"""The raw log (paged, filtered, streamed) and the tamper check over HTTP."""

from __future__ import annotations

import csv
import io
import json

from tests.api.conftest import Api
from tests.integration.helpers import base_setup, dinner


def seed(api: Api) -> None:
    api.post("/v1/events/batch", {"events": [*base_setup(), dinner("d1", "ann"),
                                             dinner("d2", "bob")]})


def test_audit_events_page_with_next_after(api: Api) -> None:
    """Pages follow positions; next_after continues; the last page says null."""
    seed(api)
    first = api.get("/v1/audit/events", api.auditor, limit=3).json()
    assert [e["position"] for e in first["events"]] == [1, 2, 3]
    assert first["next_after"] == 3
    rest = api.get("/v1/audit/events", api.auditor, after=3, limit=3).json()
    assert [e["position"] for e in rest["events"]] == [4, 5]
    assert rest["next_after"] is None


def test_audit_events_after_any_64_bit_position_is_empty_and_beyond_it_a_422(api: Api) -> None:
    """Positions are 64-bit: asking after the largest is an empty page, past it a clear
    validation error (it was a 500 once, found by the schemathesis property test)."""
    seed(api)
    last = 2**63 - 2
    assert api.get("/v1/audit/events", api.auditor, after=last).json()["events"] == []
    assert api.get("/v1/audit/events", api.auditor, after=last, format="csv").status_code == 200
    refused = api.get("/v1/audit/events", api.auditor, after=last + 1)
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["loc"] == ["query", "after"]


def test_audit_events_filter_by_type_and_stream(api: Api) -> None:
    """type and stream_id narrow the log."""
    seed(api)
    engagements = api.get("/v1/audit/events", api.auditor, type="engagement.recorded").json()
    assert [e["data"]["engagement_id"] for e in engagements["events"]] == ["d1", "d2"]
    stream = engagements["events"][0]["stream_id"]
    one = api.get("/v1/audit/events", api.auditor, stream_id=stream).json()["events"]
    assert [e["position"] for e in one] == [4]
    bad_type = api.get("/v1/audit/events", api.auditor, type="nope")
    assert bad_type.status_code == 422
    assert bad_type.headers["content-type"] == "application/problem+json"
    assert bad_type.json()["errors"][0]["loc"] == ["query", "type", 0]
    bad_stream = api.get("/v1/audit/events", api.auditor, stream_id="nope")
    assert bad_stream.status_code == 422
    assert bad_stream.json()["errors"][0]["loc"] == ["query", "stream_id"]


def test_jsonl_and_csv_exports_stream_the_whole_log(api: Api) -> None:
    """Every event, one per line / row, with its hash."""
    seed(api)
    lines = api.get("/v1/audit/events", api.auditor, format="jsonl").text.splitlines()
    assert [json.loads(line)["position"] for line in lines] == [1, 2, 3, 4, 5]
    rows = list(csv.DictReader(io.StringIO(api.get("/v1/audit/events", api.auditor,
                                                   format="csv").text)))
    assert [int(r["position"]) for r in rows] == [1, 2, 3, 4, 5]
    assert json.loads(rows[3]["data"])["engagement_id"] == "d1"


def test_verify_reports_an_intact_chain_and_its_head(api: Api) -> None:
    """ok, count and the head hash of the newest event."""
    seed(api)
    body = api.get("/v1/audit/verify", api.auditor).json()
    assert body["ok"] and body["events_checked"] == 5
    last = api.get("/v1/audit/events", api.auditor, after=4).json()["events"][0]
    assert body["head_hash"] == last["hash"]
    truncated = api.get("/v1/audit/verify", api.auditor, head="0" * 64).json()
    assert truncated["ok"] is False


def test_csv_export_neutralises_cells_a_spreadsheet_would_run(api: Api) -> None:
    """A token named like a formula records an event: its recorded_by cell in the CSV
    starts with an apostrophe (OWASP), so a spreadsheet shows it as text."""
    for name in ('=HYPERLINK("http://x","y")', "+1", "-2", "@SUM(A1)"):
        token = api.runtime.tokens.create(name, "recorder")
        api.post("/v1/events", {"type": "account.registered", "occurred_at": "2026-01-01T00:00:00Z",
                  "data": {"account_id": f"A{len(name)}{ord(name[0])}", "name": "x"}},
                 {"Authorization": f"Bearer {token}"})
    rows = list(csv.DictReader(io.StringIO(api.get("/v1/audit/events", api.auditor,
                                                   format="csv").text)))
    assert sorted(r["recorded_by"] for r in rows) == sorted(
        ["'+1", "'-2", "'=HYPERLINK(\"http://x\",\"y\")", "'@SUM(A1)"])

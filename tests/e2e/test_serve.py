"""A real `ledger serve` process driven over HTTP: register → engage → correct → report."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.e2e.serving import serve_empty_store
from tests.integration.helpers import base_setup, dinner, ev

TOKEN = "e2e-admin-token-of-32-characters"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    with serve_empty_store(tmp_path, TOKEN) as url:
        yield url


def test_register_engage_correct_and_report_over_http(server: str) -> None:
    """The whole write-then-read cycle against a served process."""
    client = httpx.Client(base_url=server, headers={"Authorization": f"Bearer {TOKEN}"},
                          timeout=10)
    assert client.post("/v1/events", json=ev("policy.set", "2026-01-01T00:00:00Z",
                                             base_currency="EUR")).status_code == 201
    assert client.post("/v1/events/batch", json={"events": base_setup()}).status_code == 201
    recorded = client.post("/v1/events", json=dinner("d1", "ann", "bob"))
    assert recorded.status_code == 201
    spend = client.get("/v1/reports/spend", params={"group_by": "stakeholder"}).json()
    assert spend["total"] == "120.00"
    corrected = client.post("/v1/events", json=ev(
        "engagement.corrected", engagement_id="d1", reason="receipt said 90",
        changes={"cost": {"amount": "90.00", "currency": "EUR"}}))
    assert corrected.status_code == 201
    spend = client.get("/v1/reports/spend", params={"group_by": "stakeholder"}).json()
    assert spend["total"] == "90.00"
    assert {g["key"]: g["total"] for g in spend["groups"]} == {"ann": "45.00", "bob": "45.00"}
    before = client.get("/v1/reports/spend", params={
        "group_by": "stakeholder", "known_at": recorded.json()["recorded_at"]}).json()
    assert before["total"] == "120.00"
    assert client.get("/v1/audit/verify").json()["ok"] is True
    assert client.get("/openapi.json").status_code == 200
    docs = client.get("/docs").text
    assert "/static/docs/swagger-ui-bundle.js" in docs and "cdn" not in docs.lower()
    assert client.get("/static/docs/swagger-ui-bundle.js").status_code == 200

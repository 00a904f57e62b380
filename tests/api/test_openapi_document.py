"""The OpenAPI document: complete, with a valid example for every event type."""

from __future__ import annotations

from datetime import UTC, datetime

from api.examples import EXAMPLES, envelope
from ledger.contract.schemas import EVENT_TYPES
from ledger.contract.validation import parse_envelope
from tests.api.conftest import Api


def test_every_event_type_has_an_example_that_validates() -> None:
    """The documented examples are real, valid events."""
    assert sorted(EXAMPLES) == sorted(EVENT_TYPES)
    for event_type in EVENT_TYPES:
        parse_envelope(envelope(event_type), now=datetime.now(UTC))


def test_the_document_names_every_event_schema_and_the_bearer_scheme(api: Api) -> None:
    """Event schemas are in components; the security scheme is declared; paths are complete."""
    document = api.client.get("/openapi.json").json()
    schemas = document["components"]["schemas"]
    for name in ("AccountRegistered", "EngagementRecorded", "PolicySet", "Money"):
        assert name in schemas
    assert document["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    body = document["paths"]["/v1/events"]["post"]["requestBody"]["content"]["application/json"]
    assert set(body["examples"]) == set(EVENT_TYPES)
    expected = {"/v1/events", "/v1/events/batch", "/v1/accounts",
                "/v1/accounts/{account_id}/power-map", "/v1/accounts/{account_id}/handover",
                "/v1/stakeholders/{stakeholder_id}", "/v1/stakeholders/{stakeholder_id}/history",
                "/v1/opportunities/{opportunity_id}/fishbone", "/v1/reports/spend",
                "/v1/compliance/flags", "/v1/audit/events", "/v1/audit/verify", "/healthz"}
    assert expected <= set(document["paths"])
    responses = document["paths"]["/v1/events"]["post"]["responses"]
    assert {"200", "201", "400", "401", "403", "409", "413", "415", "422"} <= set(responses)


def test_docs_work_offline(api: Api) -> None:
    """Swagger UI and ReDoc load their scripts from the package, not a CDN."""
    for path, script in (("/docs", "swagger-ui-bundle.js"), ("/redoc", "redoc.standalone.js")):
        page = api.client.get(path).text
        assert f"/static/docs/{script}" in page
        assert "cdn." not in page.lower() and "fonts.googleapis" not in page
        assert api.client.get(f"/static/docs/{script}").status_code == 200

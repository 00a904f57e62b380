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


def _operations(document: dict) -> list[tuple[str, str, dict]]:
    return [(method, path, operation) for path, item in document["paths"].items()
            for method, operation in item.items()]


def test_every_error_response_declares_a_problem_as_problem_json(api: Api) -> None:
    """4xx and 5xx answers are Problem documents under application/problem+json, the media
    type the server sends, and nowhere under application/json."""
    document = api.client.get("/openapi.json").json()
    errors = 0
    for _method, _path, operation in _operations(document):
        for status, response in operation["responses"].items():
            if int(status) < 400:
                continue
            errors += 1
            assert response["content"] == {"application/problem+json": {
                "schema": {"$ref": "#/components/schemas/Problem"}}}
    assert errors > 40
    problem = document["components"]["schemas"]["Problem"]
    assert {"type", "title", "status", "detail"} <= set(problem["required"])
    error = document["components"]["schemas"]["ProblemError"]
    assert set(error["properties"]) == {"loc", "msg"}
    assert "HTTPValidationError" not in document["components"]["schemas"]


def test_operation_ids_are_the_route_functions_names(api: Api) -> None:
    """A generated client gets `post_event`, `read_power_map`, not `..._v1_events_post`."""
    document = api.client.get("/openapi.json").json()
    ids = {(method, path): operation["operationId"]
           for method, path, operation in _operations(document)}
    assert ids[("post", "/v1/events")] == "post_event"
    assert ids[("post", "/v1/events/batch")] == "post_events_batch"
    assert ids[("get", "/v1/accounts/{account_id}/power-map")] == "read_power_map"
    assert ids[("get", "/v1/compliance/flags")] == "read_flags"
    assert all("_v1_" not in name and not name.endswith(("_get", "_post"))
               for name in ids.values())
    assert len(set(ids.values())) == len(ids)


def test_times_are_declared_date_time(api: Api) -> None:
    """occurred_at, recorded_at, as_of and known_at are `format: date-time` wherever they
    appear, in the events submitted and in every answer."""
    schemas = api.client.get("/openapi.json").json()["components"]["schemas"]
    seen = 0
    for name, schema in schemas.items():
        for field in ("occurred_at", "recorded_at", "as_of", "known_at", "last_engagement_at"):
            prop = schema.get("properties", {}).get(field)
            if prop is None:
                continue
            seen += 1
            variants = prop.get("anyOf", [prop])
            assert {"type": "string", "format": "date-time"}.items() <= variants[0].items(), \
                f"{name}.{field}: {prop}"
    assert seen > 25


def test_every_schema_property_is_described(api: Api) -> None:
    """Each property of each schema carries a one-line description (from the SPEC)."""
    schemas = api.client.get("/openapi.json").json()["components"]["schemas"]
    properties = {f"{name}.{prop}": spec.get("description", "")
                  for name, schema in schemas.items()
                  for prop, spec in schema.get("properties", {}).items()}
    assert len(properties) > 250
    assert [name for name, text in properties.items() if not text.strip()] == []
    assert "sum exactly to the cost" in properties["EngagementRecorded.allocation"]
    assert "signs" in properties["StakeholderRegistered.role"]
    assert "employee" in properties["EngagementRecorded.owner"]


def test_the_handover_declares_its_markdown_and_html_forms(api: Api) -> None:
    """format=md and format=html answer text/markdown and text/html, declared as such."""
    operation = api.client.get("/openapi.json").json()["paths"][
        "/v1/accounts/{account_id}/handover"]["get"]
    content = operation["responses"]["200"]["content"]
    assert {"application/json", "text/markdown", "text/html"} <= set(content)
    assert content["text/markdown"]["schema"] == {"type": "string"}
    formats = next(p for p in operation["parameters"] if p["name"] == "format")
    assert formats["schema"]["enum"] == ["json", "md", "html"]

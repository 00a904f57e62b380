"""POST /v1/events and /v1/events/batch."""

from __future__ import annotations

import uuid

from tests.api.conftest import Api
from tests.integration.helpers import account, base_setup, dinner, ev


def test_post_event_returns_a_receipt(api: Api) -> None:
    """201 with position, stream, version, times and hash."""
    response = api.post("/v1/events", account())
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"event_id", "type", "position", "stream_id", "version", "occurred_at",
                         "recorded_at", "hash", "replayed"}
    assert body["position"] == 1 and body["version"] == 1


def test_resubmitting_returns_200_with_the_original_receipt(api: Api) -> None:
    """Idempotent replay: 200 and the same receipt; different content: 409."""
    event = {**account(), "event_id": str(uuid.uuid4())}
    first = api.post("/v1/events", event)
    again = api.post("/v1/events", event)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == {**first.json(), "replayed": True}
    assert first.json()["replayed"] is False
    clash = api.post("/v1/events", {**account("OTHER"), "event_id": event["event_id"]})
    assert clash.status_code == 409
    assert clash.headers["content-type"] == "application/problem+json"


def test_batch_receipts_say_which_events_were_replays(api: Api) -> None:
    """Resubmitting a batch with one new event: that receipt says replayed false, the
    others true, and only it is recorded."""
    events = [{**e, "event_id": str(uuid.uuid4())} for e in base_setup()]
    first = api.post("/v1/events/batch", {"events": events[:-1]}).json()["receipts"]
    assert [r["replayed"] for r in first] == [False] * (len(events) - 1)
    again = api.post("/v1/events/batch", {"events": events}).json()["receipts"]
    assert [r["replayed"] for r in again] == [True] * (len(events) - 1) + [False]
    assert api.get("/healthz").json()["log_position"] == len(events)


def test_recorded_by_is_the_tokens_name(api: Api) -> None:
    """The server stamps the principal; the audit log shows it."""
    api.post("/v1/events", account())
    events = api.get("/v1/audit/events", api.auditor).json()["events"]
    assert events[0]["recorded_by"] == "crm-sync"


def test_a_rule_violation_is_a_422_pointing_at_the_field(api: Api) -> None:
    """Unknown participant: 422 with loc into the event body."""
    api.post("/v1/events/batch", {"events": base_setup()})
    response = api.post("/v1/events", dinner("d1", "ann", "ghost"))
    assert response.status_code == 422
    problem = response.json()
    assert problem["status"] == 422 and "ghost" in problem["detail"]
    assert problem["errors"][0]["loc"] == ["body", "data", "participants", 1]


def test_a_batch_is_atomic_and_names_the_failing_index(api: Api) -> None:
    """One bad event: nothing recorded, the error's loc starts with its index."""
    response = api.post("/v1/events/batch", {"events": [*base_setup(), dinner("d", "ghost")]})
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"][:3] == ["body", "events", 3]
    assert api.get("/healthz").json()["log_position"] == 0


def test_a_batch_returns_receipts_in_order(api: Api) -> None:
    """201 and one receipt per event."""
    response = api.post("/v1/events/batch", {"events": [*base_setup(), dinner("d", "ann")]})
    assert response.status_code == 201
    assert [r["position"] for r in response.json()["receipts"]] == [1, 2, 3, 4]


def test_a_batch_over_ten_thousand_events_is_413(api: Api) -> None:
    """The batch limit is enforced before validation."""
    response = api.post("/v1/events/batch", {"events": [account(f"A{i}") for i in range(10_001)]})
    assert response.status_code == 413


def test_malformed_json_is_400_and_non_json_is_415(api: Api) -> None:
    """The body's syntax and media type are checked before anything else."""
    bad = api.client.post("/v1/events", content=b'{"type": ',
                          headers={**api.recorder, "Content-Type": "application/json"})
    assert bad.status_code == 400 and bad.json()["title"] == "Malformed request"
    plain = api.client.post("/v1/events", content=b"type=account.registered",
                            headers={**api.recorder, "Content-Type": "text/plain"})
    assert plain.status_code == 415


def test_json_nested_thousands_deep_is_400_not_500(api: Api) -> None:
    """Syntactically valid, but deeper than any event: refused as malformed (it once hit
    Python's recursion limit and answered 500)."""
    deep = b'{"events": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    for path in ("/v1/events", "/v1/events/batch"):
        response = api.client.post(path, content=deep,
                                   headers={**api.recorder, "Content-Type": "application/json"})
        assert response.status_code == 400 and "nested too deeply" in response.json()["detail"]


def test_a_batch_body_must_be_an_object_with_events(api: Api) -> None:
    """Anything but {"events": [...]} is a 422 naming the field."""
    for body in ([account()], {"events": "x"}, {"events": [], "extra": 1}):
        response = api.post("/v1/events/batch", body)
        assert response.status_code == 422, body


def test_admin_only_types_are_403_for_recorders(api: Api) -> None:
    """Policies need an admin; the admin may set them."""
    policy = ev("policy.set", base_currency="EUR")
    assert api.post("/v1/events", policy).status_code == 403
    assert api.post("/v1/events", policy, api.admin).status_code == 201


def test_auditors_cannot_write(api: Api) -> None:
    """The auditor role is read-only: 403."""
    assert api.post("/v1/events", account(), api.auditor).status_code == 403


def test_a_base_currency_change_is_409(api: Api) -> None:
    """Conflicts with recorded state are 409 problems."""
    api.post("/v1/events", ev("policy.set", base_currency="EUR"), api.admin)
    assert api.post("/v1/events", ev("policy.set", base_currency="USD"),
                    api.admin).status_code == 409


def test_occurred_at_in_the_future_is_422(api: Api) -> None:
    """More than five minutes ahead of the server clock is refused."""
    response = api.post("/v1/events", {**account(), "occurred_at": "2999-01-01T00:00:00Z"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["body", "occurred_at"]

"""A handover moves access at once (SPEC §5.5): the old owner's token stops reaching the
account, the new owner's sees its whole history, and the brief still names who owned it."""

from __future__ import annotations

import pytest

from tests.api.conftest import Api, bearer
from tests.integration.helpers import account, dinner, ev, person, team

HANDOVER = "2026-03-01T09:00:00Z"


def test_a_handover_moves_access_to_the_new_owner_with_the_whole_history(api: Api) -> None:
    """Owner A until T, B from T: after the team_set A's token gets 404 and B's token
    sees every step, those before T included; the brief just before T names A."""
    api.post("/v1/events/batch", {"events": [
        account(), person("ann"), team("ACME", "a.li", occurred_at="2026-01-01T10:00:00Z"),
        dinner("d1", "ann", occurred_at="2026-02-01T19:30:00Z"),
        ev("stakeholder.attitude_changed", "2026-02-02T10:00:00Z", stakeholder_id="ann",
           attitude=2, reason="dinner went well")]}, api.admin)
    a = bearer(api.runtime.tokens.create("a.li", "recorder", "team"))
    b = bearer(api.runtime.tokens.create("b.ng", "recorder", "team"))
    history = "/v1/stakeholders/ann/history"
    assert (api.get(history, a).status_code, api.get(history, b).status_code) == (200, 404)
    before = api.get(history, a).json()["steps"]

    recorded = api.post("/v1/events", team("ACME", "b.ng", "c.wu", occurred_at=HANDOVER),
                        api.admin)
    assert recorded.status_code == 201
    assert api.get(history, a).status_code == 404
    assert api.get("/v1/accounts/ACME/handover", a).status_code == 404
    assert api.get("/v1/accounts", a).json()["accounts"] == []
    seen = api.get(history, b)
    assert seen.status_code == 200 and seen.json()["steps"] == before
    assert [x["account_id"] for x in api.get("/v1/accounts", b).json()["accounts"]] == ["ACME"]
    brief = "/v1/accounts/ACME/handover"
    assert api.get(brief, b, as_of="2026-03-01T08:59:59Z").json()["team"] == {
        "owner": "a.li", "members": []}
    assert api.get(brief, b, as_of=HANDOVER).json()["team"] == {
        "owner": "b.ng", "members": ["c.wu"]}
    # The member reaches it too; the old owner may no longer write to it.
    c = bearer(api.runtime.tokens.create("c.wu", "recorder", "team"))
    assert api.get(history, c).status_code == 200
    late = api.post("/v1/events", dinner("d2", "ann", occurred_at="2026-03-02T19:30:00Z"), a)
    assert late.status_code == 422
    assert late.json()["errors"][0]["loc"] == ["body", "data", "account_id"]


@pytest.mark.parametrize(("event", "loc"), [
    (team("NOPE", "a.li"), ["body", "data", "account_id"]),
    (team("ACME", ""), ["body", "data", "owner"]),
    (team("ACME", "a li"), ["body", "data", "owner"]),
    (team("ACME", "a.li", "b.ng", "b.ng"), ["body", "data", "members"]),
])
def test_a_bad_team_is_a_422_that_points_at_the_field_and_records_nothing(
        api: Api, event: dict, loc: list) -> None:
    """Unknown account, empty or malformed owner, a member named twice."""
    api.post("/v1/events", account(), api.admin)
    before = api.get("/healthz").json()["log_position"]
    refused = api.post("/v1/events", event, api.admin)
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["loc"][:len(loc)] == loc
    assert api.get("/healthz").json()["log_position"] == before

"""Need to know (SPEC §5.5): what six kinds of token see of the demo's accounts.

The tokens: an admin, an unscoped recorder and auditor, a team recorder on the account
under test (``priya.raman`` owns Albion Connect), a team recorder on another account only
(``chen.jing``, Jade River Mobile) and a team auditor (``mikael.lindqvist``, Aurora
Mobile). Each route answers each of them with the status the SPEC gives, and a team
token's answer never names an account out of its reach, nor its people or deals.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from httpx import Response

from tests.api.conftest import Api, bearer

ACCOUNT = "albion-connect"
TEAM_OF = {"priya.raman": {"albion-connect"}, "chen.jing": {"jade-river-mobile"},
           "mikael.lindqvist": {"aurora-mobile"}}


@dataclass
class World:
    """The demo API, a token per kind, and the ids of everything each account holds."""

    api: Api
    tokens: dict[str, dict[str, str]]
    person: str
    opportunity: str
    ids_of: dict[str, set[str]]
    """Every account's id, name, stakeholder and opportunity ids."""

    def hidden_from(self, kind: str) -> set[str]:
        """What a token of ``kind`` must never see (nothing for scope all)."""
        reached = TEAM_OF.get(_EMPLOYEE.get(kind, ""))
        if reached is None:
            return set()
        return {text for account, texts in self.ids_of.items() if account not in reached
                for text in texts}


_EMPLOYEE = {"team_on": "priya.raman", "team_off": "chen.jing", "team_auditor": "mikael.lindqvist"}
KINDS = ("admin", "recorder", "auditor", "team_on", "team_off", "team_auditor")


@pytest.fixture
def world(demo: Api) -> World:
    tokens = demo.runtime.tokens
    made = {
        "admin": demo.admin, "recorder": demo.recorder, "auditor": demo.auditor,
        "team_on": bearer(tokens.create("priya.raman", "recorder", "team")),
        "team_off": bearer(tokens.create("chen.jing", "recorder", "team")),
        "team_auditor": bearer(tokens.create("mikael.lindqvist", "auditor", "team")),
    }

    def ids(db):  # type: ignore[no-untyped-def]
        found: dict[str, set[str]] = {}
        for account_id, name in db.execute("SELECT account_id, name FROM accounts"):
            found[account_id] = {account_id, name}
        for table, column in (("stakeholders", "stakeholder_id"),
                              ("opportunities", "opportunity_id")):
            for account_id, entity in db.execute(f"SELECT account_id, {column} FROM {table}"):
                found[account_id].add(entity)
        return found

    ids_of = demo.runtime.read(ids)
    person = sorted(i for i in ids_of[ACCOUNT] if i.startswith("ac-"))[0]
    opportunity = demo.runtime.read(lambda db: db.execute(
        "SELECT opportunity_id FROM opportunities WHERE account_id = ? ORDER BY 1",
        [ACCOUNT]).fetchone()[0])
    return World(demo, made, person, opportunity, ids_of)


def _get(path: str, **params: str) -> Callable[[World, str], Response]:
    def call(world: World, kind: str) -> Response:
        filled = path.format(account=ACCOUNT, person=world.person, deal=world.opportunity)
        return world.api.client.get(filled, params=params or None,
                                    headers=world.tokens[kind])
    return call


def _post(event: Callable[[World], dict]) -> Callable[[World, str], Response]:
    def call(world: World, kind: str) -> Response:
        body = {**event(world), "event_id": str(uuid.uuid4())}
        return world.api.client.post("/v1/events", json=body, headers=world.tokens[kind])
    return call


ALL, READERS = (200,) * 6, (200, 200, 200, 200, 404, 404)
LISTS = (200,) * 6
WRITE = (201, 201, 403, 201, 422, 403)
SCOPE_ALL_WRITE = (201, 201, 403, 403, 403, 403)
AUDIT = (200, 403, 200, 403, 403, 403)
ROUTES: dict[str, tuple[Callable[[World, str], Response], tuple[int, ...]]] = {
    "accounts": (_get("/v1/accounts"), LISTS),
    "accounts as of a year ago": (_get("/v1/accounts", as_of="2025-06-30"), LISTS),
    "power map": (_get("/v1/accounts/{account}/power-map"), READERS),
    "power map then": (_get("/v1/accounts/{account}/power-map", as_of="2025-12-31"), READERS),
    "handover": (_get("/v1/accounts/{account}/handover"), READERS),
    "handover md": (_get("/v1/accounts/{account}/handover", format="md"), READERS),
    "handover html": (_get("/v1/accounts/{account}/handover", format="html"), READERS),
    "stakeholder": (_get("/v1/stakeholders/{person}"), READERS),
    "stakeholder then": (_get("/v1/stakeholders/{person}", as_of="2025-12-31"), READERS),
    "history": (_get("/v1/stakeholders/{person}/history"), READERS),
    "fishbone": (_get("/v1/opportunities/{deal}/fishbone"), READERS),
    "spend by stakeholder": (_get("/v1/reports/spend", group_by="stakeholder"), LISTS),
    "spend by account": (_get("/v1/reports/spend", group_by="account"), LISTS),
    "spend by opportunity then": (_get("/v1/reports/spend", group_by="opportunity",
                                       as_of="2026-05-31"), LISTS),
    "flags": (_get("/v1/compliance/flags"), LISTS),
    "flags then": (_get("/v1/compliance/flags", as_of="2026-01-31", open="false"), LISTS),
    "audit events": (_get("/v1/audit/events"), AUDIT),
    "audit verify": (_get("/v1/audit/verify"), AUDIT),
    "attitude change": (_post(lambda w: {
        "type": "stakeholder.attitude_changed", "occurred_at": "2026-06-29T10:00:00Z",
        "data": {"stakeholder_id": w.person, "attitude": 1, "reason": "call"}}), WRITE),
    "engagement": (_post(lambda w: {
        "type": "engagement.recorded", "occurred_at": "2026-06-29T10:00:00Z",
        "data": {"engagement_id": f"E-{uuid.uuid4().hex[:8]}", "account_id": ACCOUNT,
                 "kind": "summit", "owner": "priya.raman"}}), WRITE),
    "account registered": (_post(lambda w: {
        "type": "account.registered", "occurred_at": "2026-06-29T10:00:00Z",
        "data": {"account_id": f"new-{uuid.uuid4().hex[:8]}", "name": "New"}}),
        SCOPE_ALL_WRITE),
    "team set": (_post(lambda w: {
        "type": "account.team_set", "occurred_at": "2026-06-29T10:00:00Z",
        "data": {"account_id": ACCOUNT, "owner": "priya.raman"}}), SCOPE_ALL_WRITE),
}


@pytest.mark.parametrize("route", ROUTES)
def test_each_token_gets_its_status_and_nothing_out_of_its_reach(world: World,
                                                                 route: str) -> None:
    """Status per kind of token; a team token's body names no other account's ids,
    names, people or deals beyond those it asked about."""
    call, statuses = ROUTES[route]
    for kind, status in zip(KINDS, statuses, strict=True):
        response = call(world, kind)
        assert response.status_code == status, (kind, response.text)
        # The caller's own ids may be echoed back ("no stakeholder 'x'"), nothing else.
        asked = str(response.request.url) + response.request.content.decode()
        leaked = {text for text in world.hidden_from(kind)
                  if text in response.text and text not in asked}
        assert not leaked, (kind, sorted(leaked)[:5])


@pytest.mark.parametrize("path", ["/v1/accounts/{}/power-map", "/v1/accounts/{}/handover",
                                  "/v1/stakeholders/{}", "/v1/stakeholders/{}/history",
                                  "/v1/opportunities/{}/fishbone"])
@pytest.mark.parametrize("as_of", [None, "2026-01-31"])
def test_out_of_reach_is_answered_exactly_like_unknown(world: World, path: str,
                                                       as_of: str | None) -> None:
    """The 404 for another account's resource is the 404 for an id that does not exist."""
    target = {"accounts": ACCOUNT, "stakeholders": world.person,
              "opportunities": world.opportunity}[path.split("/")[2]]
    params = {"as_of": as_of} if as_of else None
    hidden = world.api.client.get(path.format(target), params=params,
                                  headers=world.tokens["team_off"])
    unknown = world.api.client.get(path.format("no-such-id"), params=params,
                                   headers=world.tokens["admin"])
    assert hidden.status_code == unknown.status_code == 404
    assert hidden.headers["content-type"] == unknown.headers["content-type"]
    # The same words, the id aside; "now" is a moment later in the second answer.
    def now_aside(detail: str) -> str:
        return re.sub(r"\d{4}-\d\d-\d\dT[\d:.]+Z", "<now>", detail)

    assert now_aside(hidden.json().pop("detail")) == now_aside(
        unknown.json()["detail"].replace("no-such-id", target))
    assert {**hidden.json(), "detail": ""} == {**unknown.json(), "detail": ""}


def test_a_team_token_lists_only_its_accounts(world: World) -> None:
    """The accounts list of a team token is exactly its team's accounts."""
    listed = world.api.client.get("/v1/accounts", headers=world.tokens["team_on"]).json()
    assert [a["account_id"] for a in listed["accounts"]] == [ACCOUNT]


def test_an_employee_on_no_team_sees_empty_lists(world: World) -> None:
    """A team token of someone on no team: every list empty, totals zero, no error."""
    nobody = bearer(world.api.runtime.tokens.create("kenji.watanabe", "recorder", "team"))
    get = world.api.client.get
    assert get("/v1/accounts", headers=nobody).json()["accounts"] == []
    spend = get("/v1/reports/spend", params={"group_by": "kind"}, headers=nobody).json()
    assert (spend["groups"], spend["total"], spend["unconverted"]) == ([], "0.00", [])
    assert get("/v1/compliance/flags", headers=nobody).json()["flags"] == []

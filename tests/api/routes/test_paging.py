"""Paged reads over HTTP (SPEC §5.2): limit, cursor, next_cursor, whole-answer totals."""

from __future__ import annotations

import pytest

from tests.api.conftest import Api
from tests.integration.helpers import base_setup, dinner, ev

PAGED = {"/v1/accounts": ("accounts", {}), "/v1/stakeholders/ann/history": ("steps", {}),
         "/v1/compliance/flags": ("flags", {}),
         "/v1/reports/spend": ("groups", {"group_by": "month"})}


@pytest.fixture
def spread(api: Api) -> Api:
    """Three accounts, a person with several steps, three dinners of 120.00 EUR in three
    months (all late entries)."""
    api.post("/v1/events", ev("policy.set", "2025-12-01T00:00:00Z", base_currency="EUR",
                              late_entry_days=1), api.admin)
    api.post("/v1/events/batch", {"events": [
        *base_setup(),
        ev("account.registered", account_id="BETA", name="Beta"),
        ev("account.registered", account_id="GAMMA", name="Gamma"),
        dinner("d1", "ann", occurred_at="2026-01-05T19:30:00Z"),
        dinner("d2", "ann", occurred_at="2026-02-05T19:30:00Z"),
        dinner("d3", "ann", "bob", occurred_at="2026-03-05T19:30:00Z"),
    ]})
    return api


def pages(api: Api, path: str, items: str, limit: int, **params: object) -> list[dict]:
    """Every page of a read, following next_cursor."""
    found, cursor = [], None
    while True:
        query = {"limit": limit, **params, **({"cursor": cursor} if cursor else {})}
        response = api.get(path, **query)
        assert response.status_code == 200, response.text
        found.append(response.json())
        cursor = found[-1]["next_cursor"]
        if cursor is None:
            return found


@pytest.mark.parametrize("path", sorted(PAGED))
def test_pages_of_one_join_into_the_whole_answer(spread: Api, path: str) -> None:
    """Page by page (limit 1), the items are those of one large page, in the same order."""
    items, params = PAGED[path]
    whole = spread.get(path, limit=1000, **params).json()
    assert whole["next_cursor"] is None
    paged = pages(spread, path, items, 1, **params)
    assert [item for page in paged for item in page[items]] == whole[items]
    assert len(paged) == max(len(whole[items]), 1)
    assert all(len(page[items]) <= 1 for page in paged)


def test_an_event_recorded_between_pages_does_not_shift_them(spread: Api) -> None:
    """An account registered after the first page, with an id inside the range still to
    come, is not on the next page: the cursor pinned the point of the first page."""
    first = spread.get("/v1/accounts", limit=1).json()
    spread.post("/v1/events", ev("account.registered", account_id="B0", name="B zero"))
    rest = spread.get("/v1/accounts", limit=10, cursor=first["next_cursor"]).json()
    assert [a["account_id"] for a in first["accounts"] + rest["accounts"]] == [
        "ACME", "BETA", "GAMMA"]
    assert rest["known_at"] == first["known_at"] and rest["count"] == 3
    assert "B0" in [a["account_id"] for a in spread.get("/v1/accounts").json()["accounts"]]


def test_totals_cover_the_whole_answer_not_the_page(spread: Api) -> None:
    """Spend's total and group count, and the flags' counts, are those of every page."""
    spend = spread.get("/v1/reports/spend", group_by="month", limit=1).json()
    assert (len(spend["groups"]), spend["group_count"], spend["total"]) == (1, 3, "360.00")
    flags = spread.get("/v1/compliance/flags", limit=1).json()
    assert len(flags["flags"]) == 1 and flags["count"] >= 2


@pytest.mark.parametrize("limit", [0, -1, 1001, "many"])
def test_a_limit_out_of_range_is_422_naming_it(spread: Api, limit: object) -> None:
    """limit runs from 1 to 1000."""
    response = spread.get("/v1/accounts", limit=limit)
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["query", "limit"]


def test_a_tampered_cursor_is_422_naming_it(spread: Api) -> None:
    """An edited cursor, or one of another read, is refused with errors[].loc."""
    cursor = spread.get("/v1/accounts", limit=1).json()["next_cursor"]
    body, tag = cursor.split(".")
    edited = f"{body[:5]}{'x' if body[5] != 'x' else 'y'}{body[6:]}.{tag}"
    for path, bad in (("/v1/accounts", edited), ("/v1/accounts", "garbage"),
                      ("/v1/compliance/flags", cursor)):
        response = spread.get(path, cursor=bad)
        assert response.status_code == 422, (path, bad)
        assert response.json()["errors"][0]["loc"] == ["query", "cursor"]

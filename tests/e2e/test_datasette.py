"""The views file as a SQL reader gets it: a consistent copy of a running server's WAL-mode
file, taken as the README says (`sqlite3 VIEWS ".backup COPY"`), opened in Datasette,
whose views' totals equal the API's."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.serving import free_port, ledger_serve
from tests.e2e.test_browser import ledger

TOKEN = "datasette-test-admin-token-0123456789"


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """`ledger serve` over `ledger demo`; the URL and the views file it keeps."""
    views = tmp_path / "ledger.views.db"
    env = {**os.environ, "LEDGER_DATABASE_URL": f"sqlite:///{tmp_path}/ledger.db",
           "LEDGER_VIEWS_PATH": str(views), "LEDGER_ADMIN_TOKEN": TOKEN}
    ledger("demo", env=env)
    with ledger_serve(env, free_port()) as url:
        yield url, views


def caught_up(url: str) -> None:
    """Wait until the server's views have applied the whole log."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        health = httpx.get(f"{url}/healthz", timeout=5).json()
        if health["views_position"] >= health["log_position"] > 0:
            return
        time.sleep(0.2)
    pytest.fail(f"the views did not catch up: {health}")


def datasette_rows(copy: Path, path: str) -> Any:
    """GET ``path`` from a Datasette over ``copy`` (in-process, no network)."""
    from datasette.app import Datasette

    async def get() -> Any:
        response = await Datasette([str(copy)]).client.get(path)
        assert response.status_code == 200, response.text
        return response.json()

    return asyncio.run(get())


def test_a_copy_of_the_live_views_opens_in_datasette_with_the_apis_totals(
        served: tuple[str, Path], tmp_path: Path) -> None:
    """Spend per person and per account, and the open flags, read with SQL through
    Datasette from a copy taken while the server runs, equal the API's answers."""
    sqlite3 = shutil.which("sqlite3")
    if sqlite3 is None:
        pytest.fail("the sqlite3 command is missing (apt-get install sqlite3; .ci/run does)")
    url, views = served
    caught_up(url)
    assert Path(f"{views}-wal").exists()  # the live file is in WAL mode
    copy = tmp_path / "views_copy.db"
    subprocess.run([sqlite3, str(views), f".backup {copy}"], check=True, timeout=60)

    api = httpx.Client(base_url=url, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=30)
    shape = "?_shape=array&_size=max"
    people = datasette_rows(copy, f"/views_copy/spend_by_stakeholder.json{shape}")
    spend = api.get("/v1/reports/spend", params={"group_by": "stakeholder",
                                                 "limit": 1000}).json()
    by_person = {g["key"]: g["total"] for g in spend["groups"] if g["key"] is not None}
    assert {r["stakeholder_id"]: r["total_spend"] for r in people if r["engagement_count"]} \
        == by_person
    assert {r["currency"] for r in people} == {spend["currency"]} == {"EUR"}
    names = {r["stakeholder_id"]: r["stakeholder_name"] for r in people}
    assert names["nt-anja-lorenz"] == "Anja Lorenz"

    accounts = datasette_rows(copy, f"/views_copy/spend_by_account.json{shape}")
    listed = api.get("/v1/accounts", params={"limit": 1000}).json()["accounts"]
    assert {r["account_id"]: (r["account_name"], r["total_spend"]) for r in accounts} == {
        a["account_id"]: (a["name"], a["total_spend"]) for a in listed}
    assert sum(Decimal(r["total_spend"]) for r in accounts) == sum(
        Decimal(a["total_spend"]) for a in listed) > 0

    flags = datasette_rows(copy, f"/views_copy/open_flags.json{shape}")
    answered = api.get("/v1/compliance/flags", params={"open": "true", "limit": 1000}).json()
    assert sorted((f["flag"], f["engagement_id"], f["stakeholder_id"], f["amount"])
                  for f in flags) == sorted(
        (f["flag"], f["engagement_id"], f["stakeholder_id"], f["amount"])
        for f in answered["flags"])
    assert len(flags) > 10
    missing_rate = next(f for f in flags if f["flag"] == "fx_rate_missing")
    assert (missing_rate["cost_amount"], missing_rate["cost_currency"]) == ("4206.90", "SEK")

    tables = datasette_rows(copy, "/views_copy.json")["tables"]
    shares = next(t for t in tables if t["name"] == "engagement_shares")
    assert {k["other_table"] for k in shares["foreign_keys"]["outgoing"]} >= {
        "stakeholders", "engagements", "engagement_versions"}

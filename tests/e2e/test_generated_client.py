"""A client generated from the served OpenAPI document with `openapi-python-client` works.

What a client team does: fetch `/openapi.json` from a running `ledger serve`, generate a
Python client, and use its typed functions: post events, read a power map, and read a
refused event's 422 as a ``Problem`` with its field-level errors.
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType

import httpx
import pytest

from tests.e2e.serving import serve_empty_store

TOKEN = "generated-client-admin-token-0123456789"
PACKAGE = "ledger_client"


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    """A `ledger serve` over an empty store, with an admin token."""
    with serve_empty_store(tmp_path, TOKEN) as url:
        yield url


def generate_client(url: str, folder: Path) -> ModuleType:
    """Generate ``ledger_client`` from the served document into ``folder`` and import it."""
    document = folder / "openapi.json"
    document.write_text(json.dumps(httpx.get(f"{url}/openapi.json", timeout=10).json()))
    tool = Path(sys.executable).with_name("openapi-python-client")
    done = subprocess.run(
        [str(tool), "generate", "--path", str(document), "--meta", "none",
         "--output-path", str(folder / PACKAGE)],
        capture_output=True, text=True, timeout=300,
        env={**os.environ, "PATH": f"{tool.parent}{os.pathsep}{os.environ.get('PATH', '')}"})
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Warning" not in done.stdout + done.stderr, done.stdout + done.stderr
    sys.path.insert(0, str(folder))
    return importlib.import_module(PACKAGE)


@pytest.fixture
def client_package(served: str, tmp_path: Path) -> Iterator[ModuleType]:
    """The generated package, unloaded again after the test."""
    try:
        yield generate_client(served, tmp_path)
    finally:
        sys.path.remove(str(tmp_path))
        for name in [n for n in sys.modules if n == PACKAGE or n.startswith(PACKAGE + ".")]:
            del sys.modules[name]


def test_a_generated_client_posts_events_reads_a_power_map_and_a_problem(
        served: str, client_package: ModuleType) -> None:
    """Typed calls end to end: 201 receipts, a typed power map, a 422 parsed as Problem."""
    models = importlib.import_module(f"{PACKAGE}.models")
    post_event = importlib.import_module(f"{PACKAGE}.api.events.post_event")
    read_power_map = importlib.import_module(f"{PACKAGE}.api.reads.read_power_map")
    client = client_package.AuthenticatedClient(base_url=served, token=TOKEN)
    when = datetime(2026, 3, 2, 18, 30, tzinfo=UTC)

    registered = post_event.sync_detailed(client=client, body=models.AccountRegisteredEvent(
        type_="account.registered", occurred_at=when,
        data=models.AccountRegistered(account_id="baltic-fiber", name="Baltic Fiber AS")))
    assert registered.status_code == 201
    assert isinstance(registered.parsed, models.ReceiptOut)
    assert registered.parsed.position == 1 and registered.parsed.occurred_at == when
    person = post_event.sync(client=client, body=models.StakeholderRegisteredEvent(
        type_="stakeholder.registered", occurred_at=when,
        data=models.StakeholderRegistered(
            stakeholder_id="bf-kadri-tamm", account_id="baltic-fiber", name="Kadri Tamm",
            role=models.StakeholderRegisteredRole.APPROVER, attitude=2)))
    assert isinstance(person, models.ReceiptOut) and person.type_ == "stakeholder.registered"

    power_map = read_power_map.sync(account_id="baltic-fiber", client=client)
    assert isinstance(power_map, models.PowerMapOut)
    assert power_map.score == 66.7 and power_map.decision_coverage == 1.0
    assert [(p.stakeholder_id, p.name, p.attitude) for p in power_map.stakeholders] == [
        ("bf-kadri-tamm", "Kadri Tamm", 2)]

    refused = post_event.sync_detailed(client=client, body=models.EngagementRecordedEvent(
        type_="engagement.recorded", occurred_at=when,
        data=models.EngagementRecorded(
            engagement_id="bf-1", account_id="baltic-fiber",
            kind=models.EngagementRecordedKind.DINNER, owner="Laura Brenner",
            participants=["bf-kadri-tamm", "bf-nobody"])))
    assert refused.status_code == 422
    problem = refused.parsed
    assert isinstance(problem, models.Problem)
    assert problem.status == 422 and problem.title == "Rule violation"
    assert "bf-nobody" in problem.detail
    assert problem.errors[0].loc == ["body", "data", "participants", 1]

"""An API over a fresh SQLite event store, with one token per role."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.runtime import Runtime
from ledger.config import Settings

ADMIN_TOKEN = "test-admin-token-of-32-characters"


@dataclass
class Api:
    """A test client plus ready-made Authorization headers for each role."""

    client: TestClient
    runtime: Runtime
    admin: dict[str, str]
    recorder: dict[str, str]
    auditor: dict[str, str]

    def post(self, path: str, body: object, headers: dict[str, str] | None = None):
        return self.client.post(path, json=body, headers=headers or self.recorder)

    def get(self, path: str, headers: dict[str, str] | None = None, **params: object):
        return self.client.get(path, params=params or None, headers=headers or self.recorder)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def api_settings(tmp_path: Path) -> Settings:
    return Settings(database_url=f"sqlite:///{tmp_path}/ledger.db",
                    views_path=str(tmp_path / "views.db"), admin_token=ADMIN_TOKEN)


@pytest.fixture
def api(api_settings: Settings) -> Iterator[Api]:
    runtime = Runtime(api_settings)
    recorder = runtime.tokens.create("crm-sync", "recorder")
    auditor = runtime.tokens.create("internal-audit", "auditor")
    with TestClient(create_app(api_settings, runtime=runtime)) as client:
        yield Api(client, runtime, bearer(ADMIN_TOKEN), bearer(recorder), bearer(auditor))

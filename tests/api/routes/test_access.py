"""Bearer tokens and roles (SPEC §5.5)."""

from __future__ import annotations

import pytest

from tests.api.conftest import Api, bearer
from tests.integration.helpers import account

READS = ["/v1/accounts", "/v1/reports/spend?group_by=kind", "/v1/compliance/flags"]


@pytest.mark.parametrize("path", [*READS, "/v1/audit/events", "/v1/audit/verify"])
def test_reads_without_a_token_are_401(api: Api, path: str) -> None:
    """No token, no data; the answer challenges for a bearer token."""
    response = api.client.get(path)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.headers["content-type"] == "application/problem+json"


def test_an_unknown_token_is_401(api: Api) -> None:
    """A made-up token is refused."""
    assert api.get("/v1/accounts", bearer("ldg_made_up")).status_code == 401


@pytest.mark.parametrize("path", READS)
def test_every_role_reads_the_views(api: Api, path: str) -> None:
    """Recorders, auditors and admins all read views."""
    for headers in (api.recorder, api.auditor, api.admin):
        assert api.get(path, headers).status_code == 200


@pytest.mark.parametrize("path", ["/v1/audit/events", "/v1/audit/verify"])
def test_only_auditors_and_admins_read_the_audit_log(api: Api, path: str) -> None:
    """The raw log and the chain check are for audit."""
    assert api.get(path, api.recorder).status_code == 403
    assert api.get(path, api.auditor).status_code == 200
    assert api.get(path, api.admin).status_code == 200


def test_a_revoked_token_stops_working_without_a_restart(api: Api) -> None:
    """Revocation takes effect on the running server's next request."""
    token = api.runtime.tokens.create("temp", "recorder")
    assert api.post("/v1/events", account(), bearer(token)).status_code == 201
    api.runtime.tokens.revoke("temp")
    assert api.post("/v1/events", account("B"), bearer(token)).status_code == 401


def test_tokens_are_stored_only_as_hashes(api: Api, api_settings) -> None:
    """The secret never appears in the database."""
    import sqlite3

    token = api.runtime.tokens.create("hashed", "auditor")
    with sqlite3.connect(api_settings.sqlite_path()) as conn:
        stored = conn.execute("SELECT token_hash FROM ledger_tokens WHERE name = 'hashed'"
                              ).fetchone()[0]
    assert token not in stored and len(stored) == 64


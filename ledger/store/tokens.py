"""Bearer tokens (SPEC §5.5): created once, stored only as hashes, revocable at any time.

Tokens live in the event store's database (table ``ledger_tokens``), so every API
process on every machine sees a new or revoked token on its next request. A token has a
scope: ``all`` (the default), or ``team`` for one employee, whose id is the token's name.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ledger.contract.schema_types import ID_PATTERN
from ledger.domain.application import LedgerApplication
from ledger.domain.reach import SCOPES, Scope
from ledger.domain.submission import ROLES, Principal
from ledger.errors import Conflict, InvalidEvent, LedgerError
from ledger.store.side_table import SideTable

TOKEN_PREFIX = "ldg_"
BOOTSTRAP_NAME = "bootstrap-admin"


class UnknownToken(LedgerError):
    """No active token has that name."""


@dataclass(frozen=True)
class TokenInfo:
    """A token as listed: never the secret itself."""

    name: str
    role: str
    created_at: str
    revoked_at: str | None
    scope: str = "all"


def hash_token(token: str) -> str:
    """The stored form of a token."""
    return hashlib.sha256(token.encode()).hexdigest()


class TokenStore(SideTable):
    """Creates, checks, lists and revokes tokens in the event store's database."""

    def __init__(self, ledger: LedgerApplication, admin_token: str | None = None) -> None:
        super().__init__(ledger, "ledger_tokens")
        self._admin_token = admin_token
        with self._cursor() as cur:
            cur.execute(
                f"CREATE TABLE IF NOT EXISTS {self._table} (token_hash TEXT PRIMARY KEY, "
                "name TEXT NOT NULL, role TEXT NOT NULL, created_at TEXT NOT NULL, "
                "revoked_at TEXT, scope TEXT NOT NULL DEFAULT 'all')")
            self._add_scope_column(cur)

    def _add_scope_column(self, cur: Any) -> None:
        """Stores created before scopes get the column; their tokens keep scope ``all``."""
        # Looked up first: an ALTER TABLE would take the table's lock on every start.
        if self._postgres:
            cur.execute("SELECT column_name AS name FROM information_schema.columns WHERE "
                        "table_schema = %s AND table_name = 'ledger_tokens'",
                        (self._datastore.schema,))
        else:
            cur.execute("PRAGMA table_info(ledger_tokens)")
        if "scope" not in {row["name"] for row in cur.fetchall()}:
            cur.execute(f"ALTER TABLE {self._table} ADD COLUMN scope TEXT NOT NULL "
                        "DEFAULT 'all'")

    def create(self, name: str, role: str, scope: str = "all") -> str:
        """Create a token and return it; it is never retrievable again. A ``team`` token's
        name is the employee id that account teams name."""
        if role not in ROLES:
            raise InvalidEvent(f"role must be one of {', '.join(ROLES)}, not {role!r}")
        if scope not in SCOPES:
            raise InvalidEvent(f"scope must be one of {', '.join(SCOPES)}, not {scope!r}")
        if not name.strip():
            raise InvalidEvent("a token needs a name")
        if scope == "team" and role == "admin":
            raise InvalidEvent("an admin token always has scope 'all'")
        if scope == "team" and not re.fullmatch(ID_PATTERN, name):
            raise InvalidEvent(f"a team token's name is an employee id (as teams name them, "
                               f"{ID_PATTERN}), not {name!r}")
        if any(t.name == name and t.revoked_at is None for t in self.list()):
            raise Conflict(f"an active token named {name!r} exists; revoke it first")
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        with self._cursor() as cur:
            cur.execute(self._sql(f"INSERT INTO {self._table} (token_hash, name, role, "
                                  "created_at, revoked_at, scope) VALUES (?,?,?,?,NULL,?)"),
                        (hash_token(token), name, role, datetime.now(UTC).isoformat(), scope))
        return token

    def authenticate(self, token: str) -> Principal | None:
        """The principal of an active token, or None."""
        if self._admin_token and hmac.compare_digest(token.encode(), self._admin_token.encode()):
            return Principal(BOOTSTRAP_NAME, "admin")
        with self._cursor() as cur:
            cur.execute(self._sql(f"SELECT name, role, scope FROM {self._table} "
                                  "WHERE token_hash = ? AND revoked_at IS NULL"),
                        (hash_token(token),))
            row = cur.fetchone()
        if row is None:
            return None
        scope: Scope = "team" if row["scope"] == "team" else "all"
        return Principal(row["name"], row["role"], scope)

    def list(self) -> list[TokenInfo]:
        """Every token ever created, newest first."""
        with self._cursor() as cur:
            cur.execute(f"SELECT name, role, created_at, revoked_at, scope FROM {self._table} "
                        "ORDER BY created_at DESC")
            rows = cur.fetchall()
        return [TokenInfo(row["name"], row["role"], row["created_at"], row["revoked_at"],
                          row["scope"]) for row in rows]

    def revoke(self, name: str) -> None:
        """Revoke the active token called ``name``; effective on the next request."""
        with self._cursor() as cur:
            cur.execute(self._sql(f"UPDATE {self._table} SET revoked_at = ? "
                                  "WHERE name = ? AND revoked_at IS NULL"),
                        (datetime.now(UTC).isoformat(), name))
            changed = (cur.rowcount if self._postgres else cur.sqlite_cursor.rowcount)
        if not changed:
            raise UnknownToken(f"no active token named {name!r}")

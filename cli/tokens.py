"""The ``ledger token`` command group: create, list and revoke API bearer tokens.

Tokens live in the event store's database (see :mod:`ledger.store.tokens`), so these commands
take the same ``--database-url`` as the others and a running server sees their changes
on its next request. ``cli.app`` adds :data:`token_app` to the main app as ``token``.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from cli.common import DatabaseUrl, console, fail, open_ledger
from ledger.errors import LedgerError
from ledger.store.tokens import TokenStore

token_app = typer.Typer(help="Create, list and revoke API bearer tokens.", no_args_is_help=True)


def _tokens(database_url: str | None) -> Any:
    """The token store of the event store named by the flag or the environment."""

    return TokenStore(open_ledger(database_url))


@token_app.command("create")
def token_create(
    role: Annotated[str, typer.Option(help="recorder, auditor or admin.")],
    name: Annotated[str, typer.Option(help="Who holds it; becomes recorded_by. For scope "
                                           "team, the employee id that account teams name.")],
    scope: Annotated[str, typer.Option(help="all (every account) or team (the accounts whose "
                                            "team names this employee).")] = "all",
    database_url: DatabaseUrl = None,
) -> None:
    """Create a token and print it once (the last word of the line); only its hash is kept.

    Example: ledger token create --role recorder --name li.na --scope team
    """
    try:
        token = _tokens(database_url).create(name, role, scope)
    except LedgerError as exc:
        fail(exc.detail, 1)
    console.print(f"{role} token (scope {scope}) for {name} (shown once): {token}",
                  highlight=False)


@token_app.command("list")
def token_list(database_url: DatabaseUrl = None) -> None:
    """List tokens (names, roles, scopes, dates; never the secrets). Example: ledger token list"""
    for info in _tokens(database_url).list():
        state = f"revoked {info.revoked_at}" if info.revoked_at else "active"
        console.print(f"{info.name:24} {info.role:9} scope {info.scope:5} "
                      f"created {info.created_at}  {state}", highlight=False)


@token_app.command("revoke")
def token_revoke(name: Annotated[str, typer.Argument(help="The token's name.")],
                 database_url: DatabaseUrl = None) -> None:
    """Revoke a token; a running server refuses it from the next request on.

    Example: ledger token revoke crm-sync
    """
    try:
        _tokens(database_url).revoke(name)
    except LedgerError as exc:
        fail(exc.detail, 1)
    console.print(f"revoked {name}")

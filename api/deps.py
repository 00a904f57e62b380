"""Dependencies shared by the routes: the runtime, the caller's principal, waiting views."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.errors import ApiProblem
from api.runtime import Runtime
from ledger.domain.submission import Principal

bearer = HTTPBearer(auto_error=False, description="A token from `ledger token create`.")


def runtime(request: Request) -> Runtime:
    """The process's runtime."""
    return request.app.state.runtime  # type: ignore[no-any-return]


RuntimeDep = Annotated[Runtime, Depends(runtime)]


def principal(rt: RuntimeDep,
              credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
              ) -> Principal:
    """The caller, from its bearer token; 401 without a valid one."""
    challenge = {"WWW-Authenticate": "Bearer"}
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise ApiProblem(401, "a bearer token is required (Authorization: Bearer <token>)",
                         headers=challenge)
    found = rt.tokens.authenticate(credentials.credentials)
    if found is None:
        raise ApiProblem(401, "the token is unknown or revoked", headers=challenge)
    return found


PrincipalDep = Annotated[Principal, Depends(principal)]


def auditor(who: PrincipalDep) -> Principal:
    """Only auditors and admins read the raw log and the chain check."""
    if who.role not in ("auditor", "admin"):
        raise ApiProblem(403, f"role {who.role!r} cannot read the audit log")
    return who


def fresh_views(rt: RuntimeDep, who: PrincipalDep,
                min_position: Annotated[int | None, Query(
                    ge=0, description="Wait (bounded) until the views reach this log position."
                )] = None) -> Runtime:
    """The runtime, once its views reflect this server's writes and ``min_position``."""
    if min_position is not None and min_position > (head := rt.ledger.head_position()):
        raise ApiProblem(422, f"min_position {min_position} is beyond the newest position of "
                              f"the event log, {head}: no retry can reach it",
                         errors=[{"loc": ["query", "min_position"],
                                  "msg": f"beyond the log's head position {head}"}])
    if not rt.ready_for(min_position):
        raise ApiProblem(503, f"the views have not reached position "
                              f"{max(rt.acknowledged, min_position or 0)} yet; retry shortly",
                         headers={"Retry-After": "1"})
    return rt


AuditorDep = Annotated[Principal, Depends(auditor)]
ViewsDep = Annotated[Runtime, Depends(fresh_views)]
AsOf = Annotated[str | None, Query(description="Valid time: RFC 3339 or YYYY-MM-DD (end of "
                                               "day, UTC). Default now.")]
KnownAt = Annotated[str | None, Query(description="Transaction time: RFC 3339 or YYYY-MM-DD "
                                                  "(end of day, UTC). Default now.")]

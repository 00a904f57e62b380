"""Dependencies shared by the routes: the runtime, the caller's principal, waiting views."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Query, Request, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.errors import ApiProblem
from api.runtime import Runtime
from ledger.domain.reach import Reach
from ledger.domain.submission import Principal
from ledger.store.access_log import AccessLog

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


def reach(rt: RuntimeDep, who: PrincipalDep) -> Reach:
    """The accounts the caller reaches now (SPEC §5.5), from the event store's team index:
    every account for scope ``all``; for a team token, its employee's accounts."""
    return rt.ledger.reach_of(who)


ReachDep = Annotated[Reach, Depends(reach)]


@dataclass(frozen=True)
class AccessNote:
    """Notes in the access log that this request read personal fields (SPEC §5.5); a
    route calls it once its answer is ready, before returning it."""

    log: AccessLog
    who: Principal
    route: str
    response: Response

    def __call__(self, *, account_id: str | None = None, stakeholder_id: str | None = None,
                 detail: str | None = None) -> None:
        """Append the row (committed before the answer goes out); the answer's
        ``Server-Timing`` header says how long that took (``access-log;dur=`` in ms)."""
        started = time.perf_counter()
        self.log.append(self.who, self.route, account_id=account_id,
                        stakeholder_id=stakeholder_id, detail=detail)
        spent = (time.perf_counter() - started) * 1000
        self.response.headers["Server-Timing"] = f"access-log;dur={spent:.3f}"


def access_note(rt: RuntimeDep, who: PrincipalDep, request: Request,
                response: Response) -> AccessNote:
    """The access-log note of this request: its caller and its method and path."""
    return AccessNote(rt.access, who, f"{request.method} {request.url.path}", response)


AccessDep = Annotated[AccessNote, Depends(access_note)]


def auditor(who: PrincipalDep) -> Principal:
    """Only auditors and admins of scope ``all`` read the raw log and the chain check."""
    if who.role not in ("auditor", "admin"):
        raise ApiProblem(403, f"role {who.role!r} cannot read the audit log")
    if who.scope != "all":
        raise ApiProblem(403, "the audit routes need a token of scope 'all'")
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


def admin(who: PrincipalDep) -> Principal:
    """Only admins (always of scope ``all``) export what the ledger holds about a person."""
    if who.role != "admin" or who.scope != "all":
        raise ApiProblem(403, f"role {who.role!r} cannot export a person's data")
    return who


AuditorDep = Annotated[Principal, Depends(auditor)]
AdminDep = Annotated[Principal, Depends(admin)]
ViewsDep = Annotated[Runtime, Depends(fresh_views)]
AsOf = Annotated[str | None, Query(description="Valid time: RFC 3339 or YYYY-MM-DD (end of "
                                               "day, UTC). Default now.")]
KnownAt = Annotated[str | None, Query(description="Transaction time: RFC 3339 or YYYY-MM-DD "
                                                  "(end of day, UTC). Default now.")]

"""Rules that need the ledger's state (SPEC §3.2, "rules" column).

:func:`check` decides, for one validated event, which stream it extends and with
which event class, or raises the specific :mod:`ledger.errors` exception.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, NamedTuple, Protocol, TypeVar

from pydantic import ValidationError

from ledger.aggregates import (
    POLICY_KEY,
    Account,
    Engagement,
    FxRate,
    LedgerAggregate,
    Opportunity,
    Policy,
    Stakeholder,
)
from ledger.contract.event_data import EngagementFields
from ledger.contract.vocabulary import DEFAULT_BASE_CURRENCY
from ledger.domain.reach import EVERYWHERE, Reach
from ledger.errors import (
    AlreadyRegistered,
    AlreadyVoided,
    BaseCurrencyLocked,
    Conflict,
    DepartedStakeholder,
    InvalidEvent,
    UnknownEntity,
)

A = TypeVar("A", bound=LedgerAggregate)
Lookup = Callable[[type[A], str], A | None]


class EventHeader(Protocol):
    """What the rules read of a validated event besides its data: a parsed envelope
    (:mod:`ledger.contract.schemas`) or the application's lighter record of one."""

    @property
    def type(self) -> str:
        """The SPEC §3.2 event type."""

    @property
    def occurred_at(self) -> datetime:
        """Valid time, timezone-aware."""


class Target(NamedTuple):
    """Where an accepted event goes: its aggregate class, key, event class and current state
    (a tuple: every event of a batch makes one)."""

    aggregate: type[LedgerAggregate]
    key: str
    event_class: type[LedgerAggregate.Event]
    current: LedgerAggregate | None


def check(event: EventHeader, data: dict[str, Any], get: Lookup[Any],
          reach: Reach = EVERYWHERE) -> Target:
    """Check ``event`` against the ledger state reachable through ``get``, as a caller
    who reaches only the accounts of ``reach`` sees it (SPEC §5.5): an account outside
    it, and every stakeholder, opportunity and engagement of one, is unknown."""
    return _CHECKS[event.type](event, data, get if reach.everything else _Within(get, reach))


class _Within:
    """A lookup that hides the aggregates of accounts outside a reach."""

    def __init__(self, get: Lookup[Any], reach: Reach) -> None:
        self.unfiltered, self._reach = get, reach

    def __call__(self, cls: type[A], key: str) -> A | None:
        found = self.unfiltered(cls, key)
        if found is None or self._reach.covers(getattr(found, "account_id", None)):
            return found
        return None


_STREAM_KEYS = (("account", "account_id"), ("stakeholder", "stakeholder_id"),
                ("opportunity", "opportunity_id"), ("engagement", "engagement_id"))


def streams_read(event_type: str, data: dict[str, Any]) -> list[tuple[str, str]]:
    """The (kind, key) of every stream :func:`check` may look up for this event, so that
    the application can load them for a whole batch in one query."""
    found = [(kind, data[field]) for kind, field in _STREAM_KEYS if data.get(field)]
    participants = data.get("participants")
    if participants:
        found += [("stakeholder", p) for p in participants]
    changes = data.get("changes")
    if changes:  # only what is there is looked at: this runs for every event of a batch
        if changes.get("participants"):
            found += [("stakeholder", p) for p in changes["participants"]]
        if changes.get("opportunity_id"):
            found.append(("opportunity", changes["opportunity_id"]))
    if event_type in ("policy.set", "fx.rate_set"):
        found.append(("policy", POLICY_KEY))
    if event_type == "fx.rate_set":
        found.append(("fx", data["currency"]))
    return found


def _require(get: Lookup[A], cls: type[A], key: str, field: str) -> A:
    found = get(cls, key)
    if found is None:
        raise UnknownEntity(f"unknown {cls.kind} {key!r}", loc=["data", field])
    return found


def _new(get: Lookup[A], cls: type[A], key: str, field: str, event_class: type) -> Target:
    # Ids are global: one taken on an account out of reach cannot be registered again
    # either (it tells the caller no more than that the id is taken).
    exists = getattr(get, "unfiltered", get)
    if exists(cls, key) is not None:
        raise AlreadyRegistered(f"{cls.kind} {key!r} is already registered", loc=["data", field])
    return Target(cls, key, event_class, None)


def _account_registered(event: EventHeader, data: dict[str, Any], get: Lookup[Any]) -> Target:
    return _new(get, Account, data["account_id"], "account_id", Account.Registered)


def _account_tier_changed(event: EventHeader, data: dict[str, Any], get: Lookup[Any]) -> Target:
    account = _require(get, Account, data["account_id"], "account_id")
    return Target(Account, data["account_id"], Account.TierChanged, account)


def _account_team_set(event: EventHeader, data: dict[str, Any], get: Lookup[Any]) -> Target:
    account = _require(get, Account, data["account_id"], "account_id")
    return Target(Account, data["account_id"], Account.TeamSet, account)


def _stakeholder_registered(event: EventHeader, data: dict[str, Any], get: Lookup[Any]) -> Target:
    _require(get, Account, data["account_id"], "account_id")
    return _new(get, Stakeholder, data["stakeholder_id"], "stakeholder_id", Stakeholder.Registered)


def _stakeholder_event(event_class: type, *, present_only: bool = False) -> Callable[..., Target]:
    def rule(event: EventHeader, data: dict[str, Any], get: Lookup[Any]) -> Target:
        person = _require(get, Stakeholder, data["stakeholder_id"], "stakeholder_id")
        if person.forgotten:
            raise Conflict(f"stakeholder {data['stakeholder_id']!r} was forgotten",
                           loc=["data", "stakeholder_id"])
        if present_only and person.gone_at(event.occurred_at):
            raise DepartedStakeholder(
                f"stakeholder {data['stakeholder_id']!r} departed on "
                f"{person.departed_at:%Y-%m-%d}", loc=["data", "stakeholder_id"])
        if event_class is Stakeholder.Departed and person.departed_at is not None:
            raise Conflict(f"stakeholder {data['stakeholder_id']!r} has already departed",
                           loc=["data", "stakeholder_id"])
        return Target(Stakeholder, data["stakeholder_id"], event_class, person)

    return rule


def _opportunity_opened(event: EventHeader, data: dict[str, Any], get: Lookup[Any]) -> Target:
    _require(get, Account, data["account_id"], "account_id")
    return _new(get, Opportunity, data["opportunity_id"], "opportunity_id", Opportunity.Opened)


def _stakeholder_placed(event: EventHeader, data: dict[str, Any], get: Lookup[Any]) -> Target:
    opportunity = _require(get, Opportunity, data["opportunity_id"], "opportunity_id")
    person = _require(get, Stakeholder, data["stakeholder_id"], "stakeholder_id")
    if person.account_id != opportunity.account_id:
        raise InvalidEvent(
            f"stakeholder {data['stakeholder_id']!r} belongs to account {person.account_id!r}, "
            f"not to the opportunity's account {opportunity.account_id!r}",
            loc=["data", "stakeholder_id"])
    return Target(Opportunity, data["opportunity_id"], Opportunity.StakeholderPlaced, opportunity)


def _opportunity_closed(event: EventHeader, data: dict[str, Any], get: Lookup[Any]) -> Target:
    opportunity = _require(get, Opportunity, data["opportunity_id"], "opportunity_id")
    if opportunity.closed:
        raise Conflict(f"opportunity {data['opportunity_id']!r} is already closed",
                       loc=["data", "opportunity_id"])
    return Target(Opportunity, data["opportunity_id"], Opportunity.Closed, opportunity)


def check_participants(
    fields: dict[str, Any], account_id: str, engaged_at: datetime, get: Lookup[Any],
    loc: list[Any], already: frozenset[str] = frozenset(), *, with_opportunity: bool = True,
) -> None:
    """Participants exist, belong to ``account_id`` and had not left by ``engaged_at``.

    Participants in ``already`` were checked when the engagement was recorded; with
    ``with_opportunity`` the opportunity named in ``fields`` is checked too.
    """
    for index, stakeholder_id in enumerate(fields.get("participants") or []):
        if stakeholder_id in already:
            continue
        person = get(Stakeholder, stakeholder_id)
        if person is not None and person.account_id == account_id \
                and not person.gone_at(engaged_at):
            continue  # the common case: no error location to build
        where = [*loc, "participants", index]
        if person is None:
            raise UnknownEntity(f"unknown stakeholder {stakeholder_id!r}", loc=where)
        if person.account_id != account_id:
            raise InvalidEvent(
                f"participant {stakeholder_id!r} belongs to account {person.account_id!r}, "
                f"not to {account_id!r}", loc=where)
        if person.gone_at(engaged_at):
            why = "was forgotten" if person.forgotten else (
                f"departed on {person.departed_at:%Y-%m-%d}, before this engagement")
            raise DepartedStakeholder(f"participant {stakeholder_id!r} {why}", loc=where)
    opportunity_id = fields.get("opportunity_id") if with_opportunity else None
    if opportunity_id is not None:
        opportunity = get(Opportunity, opportunity_id)
        if opportunity is None:
            raise UnknownEntity(f"unknown opportunity {opportunity_id!r}",
                                loc=[*loc, "opportunity_id"])
        if opportunity.account_id != account_id:
            raise InvalidEvent(f"opportunity {opportunity_id!r} belongs to another account",
                               loc=[*loc, "opportunity_id"])


def _engagement_recorded(event: EventHeader, data: dict[str, Any], get: Lookup[Any]) -> Target:
    _require(get, Account, data["account_id"], "account_id")
    target = _new(get, Engagement, data["engagement_id"], "engagement_id", Engagement.Recorded)
    check_participants(data, data["account_id"], event.occurred_at, get, ["data"])
    return target


def _live_engagement(data: dict[str, Any], get: Lookup[Any]) -> Engagement:
    engagement = _require(get, Engagement, data["engagement_id"], "engagement_id")
    if engagement.voided:
        raise AlreadyVoided(f"engagement {data['engagement_id']!r} is voided",
                            loc=["data", "engagement_id"])
    return engagement


def _engagement_corrected(event: EventHeader, data: dict[str, Any], get: Lookup[Any]) -> Target:
    engagement = _live_engagement(data, get)
    merged = {**engagement.fields, **data["changes"]}
    try:
        EngagementFields.model_validate(merged)
    except ValidationError as exc:
        error = exc.errors(include_url=False)[0]
        loc = ["data", "changes", *error["loc"]]
        msg = str(error["msg"]).removeprefix("Value error, ")
        field, sep, rest = msg.partition(": ")
        if sep and field in EngagementFields.model_fields:
            loc, msg = [*loc, field], rest
        raise InvalidEvent(f"the corrected engagement would break a rule: {msg}", loc=loc) from None
    check_participants(merged, engagement.account_id, engagement.engaged_at, get,
                       ["data", "changes"],
                       already=frozenset(engagement.fields.get("participants") or ()),
                       # An unchanged opportunity was checked when it was set, and an
                       # opportunity's account never changes; streams_read relies on this.
                       with_opportunity="opportunity_id" in data["changes"])
    return Target(Engagement, data["engagement_id"], Engagement.Corrected, engagement)


def _engagement_voided(event: EventHeader, data: dict[str, Any], get: Lookup[Any]) -> Target:
    engagement = _live_engagement(data, get)
    return Target(Engagement, data["engagement_id"], Engagement.Voided, engagement)


def _engagement_approved(event: EventHeader, data: dict[str, Any], get: Lookup[Any]) -> Target:
    engagement = _live_engagement(data, get)
    return Target(Engagement, data["engagement_id"], Engagement.Approved, engagement)


def _policy_set(event: EventHeader, data: dict[str, Any], get: Lookup[Any]) -> Target:
    policy = get(Policy, POLICY_KEY)
    if policy is None:
        return Target(Policy, POLICY_KEY, Policy.Set, None)
    if data["base_currency"] != policy.base_currency:
        raise BaseCurrencyLocked(
            f"the base currency is {policy.base_currency} and cannot change once set",
            loc=["data", "base_currency"])
    return Target(Policy, POLICY_KEY, Policy.Changed, policy)


def _fx_rate_set(event: EventHeader, data: dict[str, Any], get: Lookup[Any]) -> Target:
    policy = get(Policy, POLICY_KEY)
    base = policy.base_currency if policy is not None else DEFAULT_BASE_CURRENCY
    if data["currency"] == base:
        raise InvalidEvent(f"{base} is the base currency; its rate is always 1",
                           loc=["data", "currency"])
    current = get(FxRate, data["currency"])
    return Target(FxRate, data["currency"], FxRate.Changed if current else FxRate.Set, current)


_CHECKS: dict[str, Callable[[EventHeader, dict[str, Any], Lookup[Any]], Target]] = {
    "account.registered": _account_registered,
    "account.tier_changed": _account_tier_changed,
    "account.team_set": _account_team_set,
    "stakeholder.registered": _stakeholder_registered,
    "stakeholder.role_changed": _stakeholder_event(Stakeholder.RoleChanged, present_only=True),
    "stakeholder.attitude_changed": _stakeholder_event(Stakeholder.AttitudeChanged),
    "stakeholder.layer_changed": _stakeholder_event(Stakeholder.LayerChanged),
    "stakeholder.departed": _stakeholder_event(Stakeholder.Departed),
    "stakeholder.forgotten": _stakeholder_event(Stakeholder.Forgotten),
    "opportunity.opened": _opportunity_opened,
    "opportunity.stakeholder_placed": _stakeholder_placed,
    "opportunity.closed": _opportunity_closed,
    "engagement.recorded": _engagement_recorded,
    "engagement.corrected": _engagement_corrected,
    "engagement.voided": _engagement_voided,
    "engagement.approved": _engagement_approved,
    "policy.set": _policy_set,
    "fx.rate_set": _fx_rate_set,
}

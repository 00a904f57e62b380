"""The event-sourced aggregates: one stream per account, stakeholder, opportunity,
engagement, the policy and each FX currency.

Every ledger event type is a past-tense event class of its aggregate, carrying the
envelope (``event_id``, ``occurred_at``, ``data``, ``recorded_by``); ``apply`` folds it
into the small state the write-side rules need. Stream ids are name-based UUIDs, so
the stream of ``account:ACME`` is the same in every process.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from functools import lru_cache
from typing import Any, ClassVar
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate
from eventsourcing.utils import get_topic

_NAMESPACE = uuid5(NAMESPACE_URL, "https://engagement-ledger.example/streams")


@lru_cache(maxsize=1 << 18)  # uuid5 (SHA-1) cost ~10 % of ingest; it is looked up ~4x/event
def stream_id(kind: str, key: str) -> UUID:
    """The stream (aggregate) id of ``kind`` ``key``, e.g. ``stream_id("account", "ACME")``."""
    return uuid5(_NAMESPACE, f"{kind}:{key}")


class LedgerAggregate(Aggregate):
    """Base of the ledger's aggregates: events carry the submitted envelope."""

    kind: ClassVar[str] = ""

    class Event(Aggregate.Event):
        """A ledger event as stored: the envelope plus the server's ``recorded_by``."""

        event_id: str
        occurred_at: datetime
        data: dict[str, Any]
        recorded_by: str

        def apply(self, aggregate: Any) -> None:
            """Fold this event into the aggregate's state."""
            aggregate.when(self)

    class Created(Event, Aggregate.Created):
        """The first event of a stream."""

    def when(self, event: LedgerAggregate.Event) -> None:
        """Update state from one event; subclasses override."""


class Account(LedgerAggregate):
    """A customer account."""

    kind = "account"

    class Registered(LedgerAggregate.Created):
        """``account.registered``"""

    class TierChanged(LedgerAggregate.Event):
        """``account.tier_changed``"""

    class TeamSet(LedgerAggregate.Event):
        """``account.team_set``"""

    def when(self, event: LedgerAggregate.Event) -> None:
        self.account_id = event.data.get("account_id", getattr(self, "account_id", None))
        if isinstance(event, Account.TeamSet):
            self.team = (event.data["owner"], tuple(event.data["members"]))
        else:
            self.tier = event.data["tier"]


class Stakeholder(LedgerAggregate):
    """A person inside a customer account."""

    kind = "stakeholder"
    departed_at: datetime | None = None
    forgotten: bool = False

    class Registered(LedgerAggregate.Created):
        """``stakeholder.registered``"""

    class RoleChanged(LedgerAggregate.Event):
        """``stakeholder.role_changed``"""

    class AttitudeChanged(LedgerAggregate.Event):
        """``stakeholder.attitude_changed``"""

    class LayerChanged(LedgerAggregate.Event):
        """``stakeholder.layer_changed``"""

    class Departed(LedgerAggregate.Event):
        """``stakeholder.departed``"""

    class Forgotten(LedgerAggregate.Event):
        """``stakeholder.forgotten``"""

    def when(self, event: LedgerAggregate.Event) -> None:
        if isinstance(event, Stakeholder.Registered):
            self.stakeholder_id = event.data["stakeholder_id"]
            self.account_id = event.data["account_id"]
        elif isinstance(event, Stakeholder.Departed):
            self.departed_at = event.occurred_at
        elif isinstance(event, Stakeholder.Forgotten):
            self.forgotten = True

    def gone_at(self, moment: datetime) -> bool:
        """True when the person had departed by ``moment`` (or was forgotten)."""
        return self.forgotten or (self.departed_at is not None and self.departed_at < moment)


class Opportunity(LedgerAggregate):
    """A bid, contract or key negotiation with its fishbone."""

    kind = "opportunity"
    closed: bool = False

    class Opened(LedgerAggregate.Created):
        """``opportunity.opened``"""

    class StakeholderPlaced(LedgerAggregate.Event):
        """``opportunity.stakeholder_placed``"""

    class Closed(LedgerAggregate.Event):
        """``opportunity.closed``"""

    def when(self, event: LedgerAggregate.Event) -> None:
        if isinstance(event, Opportunity.Opened):
            self.account_id = event.data["account_id"]
        elif isinstance(event, Opportunity.Closed):
            self.closed = True


class Engagement(LedgerAggregate):
    """A visit, dinner, gift, summit …: its current (corrected) fields and void status."""

    kind = "engagement"
    voided: bool = False

    class Recorded(LedgerAggregate.Created):
        """``engagement.recorded``"""

    class Corrected(LedgerAggregate.Event):
        """``engagement.corrected``"""

    class Voided(LedgerAggregate.Event):
        """``engagement.voided``"""

    class Approved(LedgerAggregate.Event):
        """``engagement.approved``"""

    def when(self, event: LedgerAggregate.Event) -> None:
        if isinstance(event, Engagement.Recorded):
            self.account_id = event.data["account_id"]
            self.engaged_at = event.occurred_at
            self.fields = {k: v for k, v in event.data.items() if k not in _NOT_FIELDS}
        elif isinstance(event, Engagement.Corrected):
            changes = event.data["changes"]
            self.fields = {**self.fields, **{k: v for k, v in changes.items()
                                             if k not in SEALED_FIELDS}}
        elif isinstance(event, Engagement.Voided):
            self.voided = True


SEALED_FIELDS = ("location", "notes")
"""Engagement fields stored encrypted; the write model does not need them for its rules."""
_NOT_FIELDS = frozenset(("engagement_id", "account_id", *SEALED_FIELDS))
"""What of ``engagement.recorded`` data is not a correctable field the rules read (a set
built once: the tuple built per item cost more than the rest of folding the event)."""


class Policy(LedgerAggregate):
    """The compliance policy (one stream); it fixes the base currency."""

    kind = "policy"

    class Set(LedgerAggregate.Created):
        """The first ``policy.set``."""

    class Changed(LedgerAggregate.Event):
        """A later ``policy.set``."""

    def when(self, event: LedgerAggregate.Event) -> None:
        self.base_currency = event.data["base_currency"]


class FxRate(LedgerAggregate):
    """The exchange rates of one currency (one stream per currency)."""

    kind = "fx"

    class Set(LedgerAggregate.Created):
        """The first ``fx.rate_set`` for a currency."""

    class Changed(LedgerAggregate.Event):
        """A later ``fx.rate_set`` for the same currency."""


POLICY_KEY = "base"

LEDGER_TYPES: dict[type[LedgerAggregate.Event], str] = {
    Account.Registered: "account.registered",
    Account.TierChanged: "account.tier_changed",
    Account.TeamSet: "account.team_set",
    Stakeholder.Registered: "stakeholder.registered",
    Stakeholder.RoleChanged: "stakeholder.role_changed",
    Stakeholder.AttitudeChanged: "stakeholder.attitude_changed",
    Stakeholder.LayerChanged: "stakeholder.layer_changed",
    Stakeholder.Departed: "stakeholder.departed",
    Stakeholder.Forgotten: "stakeholder.forgotten",
    Opportunity.Opened: "opportunity.opened",
    Opportunity.StakeholderPlaced: "opportunity.stakeholder_placed",
    Opportunity.Closed: "opportunity.closed",
    Engagement.Recorded: "engagement.recorded",
    Engagement.Corrected: "engagement.corrected",
    Engagement.Voided: "engagement.voided",
    Engagement.Approved: "engagement.approved",
    Policy.Set: "policy.set",
    Policy.Changed: "policy.set",
    FxRate.Set: "fx.rate_set",
    FxRate.Changed: "fx.rate_set",
}
"""The SPEC §3.2 type of each stored event class."""


def topics_of(types: Iterable[str]) -> list[str]:
    """The stored-event topics of the given ledger event types."""
    wanted = set(types)
    return [get_topic(cls) for cls, name in LEDGER_TYPES.items() if name in wanted]

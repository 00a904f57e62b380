"""The web UI's forms: which inputs each shows, their choices, and what they read first.

Each :class:`Form` names the event it records, its inputs (rendered by ``form.html``) and
the envelope builder of :mod:`api.ui.envelopes`. Choices come from the vocabulary
(kinds with their ladder level, roles, attitudes) and from the views (the account's
present stakeholders, its open opportunities).
"""

from __future__ import annotations

import json
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, get_args

import sqlite_utils

from api.render import format as fmt
from api.render.i18n import N_
from api.ui import envelopes
from ledger.contract.vocabulary import (
    KEY_KINDS,
    LADDER_LEVELS,
    ORG_KINDS,
    REMEDIES,
    Kind,
    Layer,
    Role,
)
from ledger.domain.reach import EVERYWHERE, Reach
from projections.compliance import compliance_flags
from projections.engagements import Engagement, load_engagements
from projections.errors import UnknownEngagement, UnknownStakeholder
from projections.people import load_opportunities
from projections.queries import power_map, stakeholder_figures
from projections.timeaxis import parse_stamp, point

TIME_ZONES = tuple(sorted(zoneinfo.available_timezones()))
"""The IANA time zones offered beside a form's date and time."""
WRITERS = ("recorder", "admin")
"""Roles that may record events, and so see the forms (SPEC §5.5)."""


@dataclass(frozen=True)
class Input:
    """One input of a form: its field name, label, widget and (static) choices."""

    name: str
    label: str
    widget: str = "text"
    required: bool = False
    hint: str = ""
    choices: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Form:
    """A form that records one event type about one subject (account, person, engagement)."""

    name: str
    title: str
    inputs: tuple[Input, ...]
    build: Callable[..., dict[str, Any]]

    def names(self) -> set[str]:
        """Every field name the form shows an error beside."""
        found = {i.name for i in self.inputs}
        if "occurred_at" in found:
            found.add("time_zone")
        if "cost" in found:
            found |= {"cost_amount", "cost_currency"}
        if "participants" in found:
            found.add("allocation")
        return found


def kind_choices() -> tuple[tuple[str, tuple[tuple[str, int | None], ...]], ...]:
    """Engagement kinds grouped by layer, each ladder kind with its level (SPEC §2.3)."""
    kinds = get_args(Kind)
    ladder = tuple((k, LADDER_LEVELS[k]) for k in kinds if k in LADDER_LEVELS)
    general = tuple(k for k in kinds if k not in KEY_KINDS and k not in ORG_KINDS)
    return (
        (N_("Key relationship: intimacy ladder"), ladder),
        (N_("Key relationship: remedies"), tuple((k, None) for k in REMEDIES)),
        (N_("General relationship"), tuple((k, None) for k in general)),
        (N_("Organizational relationship"), tuple((k, None) for k in ORG_KINDS)),
    )


ROLE_CHOICES = tuple((r, fmt.ROLES[r]) for r in get_args(Role))
LAYER_CHOICES = tuple((layer, fmt.LAYERS[layer]) for layer in get_args(Layer))
WHEN = Input("occurred_at", N_("When it happened"), "when", True,
             N_("Local date and time, in the time zone beside it."))
ENGAGEMENT_INPUTS = (
    Input("kind", N_("Kind"), "kind", True,
          N_("Key kinds show their level on the intimacy ladder.")),
    WHEN,
    Input("participants", N_("Participants"), "participants", False,
          N_("The account's present stakeholders. Leave the amounts empty to split the cost "
             "equally.")),
    Input("owner", N_("Owner"), required=True, hint=N_("Our employee accountable for it.")),
    Input("hosts", N_("Hosts"), hint=N_("Our employees who took part, separated by commas.")),
    Input("cost", N_("Cost"), "cost"),
    Input("opportunity_id", N_("Opportunity"), "opportunity"),
    Input("approval_ref", N_("Approval reference")),
    Input("location", N_("Location")),
    Input("notes", N_("Notes"), "textarea"),
)
REASON = Input("reason", N_("Reason"), "textarea", True)

RECORD = Form("record", N_("Record an engagement"),
              (Input("engagement_id", N_("Engagement id"), required=True,
                     hint=N_("Suggested; change it if your CRM has one.")),
               *ENGAGEMENT_INPUTS), envelopes.record_engagement)
CORRECT = Form("correct", N_("Correct the engagement"), (*ENGAGEMENT_INPUTS, REASON),
               envelopes.correct_engagement)
VOID = Form("void", N_("Void the engagement"), (WHEN, REASON), envelopes.void_engagement)
APPROVE = Form("approve", N_("Record an approval"), (
    WHEN, Input("approval_ref", N_("Approval reference"), required=True),
    Input("approver", N_("Approver"), required=True, hint=N_("Who approved it."))),
    envelopes.approve_engagement)
REGISTER = Form("register", N_("Register a stakeholder"), (
    Input("stakeholder_id", N_("Stakeholder id"), required=True,
          hint=N_("Letters, digits and . _ : - (for example li.wei).")),
    Input("name", N_("Name"), required=True), Input("title", N_("Title")),
    Input("department", N_("Department")), WHEN,
    Input("role", N_("Role"), "select", choices=ROLE_CHOICES),
    Input("attitude", N_("Attitude"), "attitude"),
    Input("layer", N_("Layer"), "select", choices=LAYER_CHOICES),
    Input("rising_star", N_("Rising star"), "checkbox"),
    Input("public_official", N_("Public official"), "checkbox"),
    Input("birthday", N_("Birthday"), "date"), Input("notes", N_("Notes"), "textarea")),
    envelopes.register_stakeholder)
ATTITUDE = Form("attitude", N_("Change attitude"), (
    Input("attitude", N_("New attitude"), "attitude", True), WHEN, REASON,
    Input("observed_by", N_("Observed by"))), envelopes.change_attitude)
ROLE = Form("role", N_("Change role"), (
    Input("role", N_("New role"), "select", True, choices=ROLE_CHOICES), WHEN,
    Input("reason", N_("Reason"), "textarea")), envelopes.change_role)


def blank(who_name: str, **values: str) -> envelopes.Typed:
    """A fresh form: a new event id, now in UTC, the signed-in employee as owner."""
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M")
    fields = {"event_id": envelopes.new_event_id(), "occurred_at": now, "time_zone": "UTC",
              "owner": who_name, "approver": who_name, "role": "influencer",
              "attitude": "0", "layer": "general", **values}
    return envelopes.Typed({k: [v] for k, v in fields.items()})


def account_context(db: sqlite_utils.Database, account_id: str,
                    reach: Reach = EVERYWHERE) -> dict[str, Any]:
    """The account's present stakeholders and open opportunities, for choosing (an
    account outside ``reach`` is unknown)."""
    present = power_map(db, account_id, reach=reach)
    opportunities = load_opportunities(db, point(), account_id=account_id)
    return {"account_id": account_id, "people": sorted(present["stakeholders"],
                                                       key=lambda p: p["name"] or ""),
            "opportunities": [(oid, o["name"]) for oid, o in opportunities.items()
                              if o["status"] == "open"]}


def person_context(db: sqlite_utils.Database, stakeholder_id: str,
                   reach: Reach = EVERYWHERE) -> dict[str, Any]:
    """The stakeholder as they stand now, for the attitude and role forms."""
    return {"person": stakeholder_figures(db, stakeholder_id, reach=reach)}


def find_engagement(db: sqlite_utils.Database, engagement_id: str,
                    reach: Reach = EVERYWHERE) -> Engagement:
    """The engagement as known now (voided ones included); one of an account outside
    ``reach`` is as unknown as one that does not exist."""
    found = load_engagements(db, point(), engagement_ids=[engagement_id])
    if not found or not reach.covers(found[0].account_id):
        raise UnknownEngagement(f"no engagement {engagement_id!r}")
    return found[0]


def recorded_fields(engagement: Engagement) -> dict[str, Any]:
    """The engagement's recorded fields as they stand (corrections applied)."""
    latest = engagement.versions[-1]
    return {
        "kind": latest["kind"], "participants": json.loads(latest["participants"]),
        "owner": latest["owner"], "hosts": json.loads(latest["hosts"]),
        "cost": engagement.money(),
        "allocation": json.loads(latest["allocation"]) if latest["allocation"] else None,
        "opportunity_id": latest["opportunity_id"], "approval_ref": latest["approval_ref"],
        "location": latest["location"], "notes": latest["notes"],
    }


def as_typed(fields: dict[str, Any], **values: str) -> envelopes.Typed:
    """An engagement's recorded fields as a filled-in form (to correct them)."""
    typed: dict[str, list[str]] = {
        "participants": list(fields["participants"]), "hosts": [", ".join(fields["hosts"])]}
    for name in ("kind", "owner", "opportunity_id", "approval_ref", "location", "notes"):
        typed[name] = [fields[name] or ""]
    if fields["cost"]:
        typed["cost_amount"] = [fields["cost"]["amount"]]
        typed["cost_currency"] = [fields["cost"]["currency"]]
    for sid, amount in (fields["allocation"] or {}).items():
        typed[f"allocation.{sid}"] = [amount]
    for name, value in values.items():
        typed[name] = [value]
    return envelopes.Typed(typed)


def engagement_context(db: sqlite_utils.Database, engagement_id: str,
                       reach: Reach = EVERYWHERE) -> dict[str, Any]:
    """An engagement, its account's choices, and the flags it raises now."""
    engagement = find_engagement(db, engagement_id, reach)
    fields = recorded_fields(engagement)
    context = account_context(db, engagement.account_id, reach)
    named = {p["stakeholder_id"] for p in context["people"]}
    for sid in fields["participants"]:  # a departed participant stays choosable here
        if sid not in named:
            try:
                context["people"].append(stakeholder_figures(db, sid))
            except UnknownStakeholder:
                context["people"].append({"stakeholder_id": sid, "name": sid})
    return {**context, "engagement": engagement, "fields": fields,
            "flags": flags_of(db, engagement),
            "names": {p["stakeholder_id"]: p["name"] for p in context["people"] if p["name"]}}


def flags_of(db: sqlite_utils.Database, engagement: Engagement) -> list[dict[str, Any]]:
    """The compliance flags an engagement raises now, open first."""
    moment = parse_stamp(engagement.occurred_at)
    found = compliance_flags(db, account_id=engagement.account_id, start=moment,
                             end=moment)["flags"]
    mine = [f for f in found if f["engagement_id"] == engagement.engagement_id]
    return sorted(mine, key=lambda f: not f["open"])


def recorded_notice(db: sqlite_utils.Database, engagement_id: str | None,
                    reach: Reach = EVERYWHERE) -> dict[str, Any]:
    """After a form recorded an engagement: it and the flags it raised (empty otherwise)."""
    if not engagement_id:
        return {}
    try:
        engagement = find_engagement(db, engagement_id, reach)
    except UnknownEngagement:
        return {}
    present = power_map(db, engagement.account_id)["stakeholders"]
    return {"recorded": engagement, "recorded_flags": flags_of(db, engagement),
            "recorded_names": {p["stakeholder_id"]: p["name"] for p in present if p["name"]}}

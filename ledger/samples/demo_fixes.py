"""The demo's after-the-fact records (:mod:`ledger.samples.demo_script` runs them once the
simulation is done): late approvals of engagements that waited for one, then corrections
and voids of ordinary engagements (three of them forced to exercise allocations), each
a few days after the engagement was recorded, during office hours.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from ledger.contract.money import minor_units, quantize
from ledger.samples import demo_data as data
from ledger.samples.demo_model import PlannedEngagement, money, split_amount
from ledger.samples.demo_sim import Simulation

_ORG_KINDS = ("summit", "process_integration", "joint_initiative", "culture_recognition",
              "open_letter")


def fix_records(demo: Simulation) -> None:
    """Late approvals, then corrections and voids of ordinary engagements."""
    rng = demo.rng
    for engagement in demo.engagements:
        if engagement.pending_approval:
            when = demo.office_hours(engagement.recorded, rng.randint(2, 20), data.HQ_OFFSET)
            if when + timedelta(hours=1) < demo.limit:
                demo.emit("engagement.approved", when, {
                    "engagement_id": engagement.engagement_id,
                    "approval_ref": demo.next_approval_ref(when.year),
                    "approver": data.COMPLIANCE_APPROVER})
    eligible = [e for e in demo.engagements if not e.protected and not e.pending_approval
                and all(p.leave_day is None for p in e.participants)]
    # Three allocated engagements are corrected on purpose: allocation cleared, re-given
    # for a new cost, re-given for a new participant.
    allocated = [e for e in eligible if "allocation" in e.fields]
    forced = dict(zip((e.engagement_id for e in rng.sample(allocated, 3)),
                      ("clear", "cost", "participants"), strict=True))
    others = rng.sample([e for e in eligible if e.engagement_id not in forced], 29)
    corrected = set(forced) | {e.engagement_id for e in others[:21]}
    voided = {e.engagement_id for e in others[19:]}  # two are corrected, then voided
    for engagement in demo.engagements:
        if engagement.engagement_id not in corrected | voided:
            continue
        when = engagement.recorded
        offset = demo.specs[engagement.account_id].utc_offset
        if engagement.engagement_id in corrected:
            force = forced.get(engagement.engagement_id)
            for _ in range(2 if rng.random() < 0.2 else 1):
                when = demo.office_hours(when, rng.randint(1, 12), offset)
                if when + timedelta(hours=1) < demo.limit:
                    changes, reason = _correction(demo, engagement, force)
                    force = None
                    demo.emit("engagement.corrected", when, {
                        "engagement_id": engagement.engagement_id, "changes": changes,
                        "reason": reason})
        if engagement.engagement_id in voided:
            when = demo.office_hours(when, rng.randint(1, 10), offset)
            if when + timedelta(hours=1) < demo.limit:
                demo.emit("engagement.voided", when, {"engagement_id": engagement.engagement_id,
                                                      "reason": rng.choice(data.VOID_REASONS)})


def _correction(demo: Simulation, engagement: PlannedEngagement,
                force: str | None = None) -> tuple[dict[str, Any], str]:
    """Pick a plausible fix for ``engagement`` (or the ``force``d one); apply it to the
    tracked fields and return the changes with their reason."""
    rng, fields = demo.rng, engagement.fields
    spec = demo.specs[engagement.account_id]
    day = (engagement.occurred.date() - demo.start).days
    newcomers = [p for p in demo.active(spec.account_id, day)
                 if p.leave_day is None and p.stakeholder_id not in fields["participants"]]
    options = ["location", "owner"]
    if "cost" in fields:
        options += ["cost", "cost"]
    if fields["kind"] == "office_visit":
        options.append("kind")
    if fields["participants"] and fields["kind"] not in _ORG_KINDS and newcomers:
        options.append("participants")
    what = rng.choice(options)
    if force:
        what = "participants" if force == "participants" and newcomers else "cost"
    changes: dict[str, Any] = {}
    cost: dict[str, Any] = fields.get("cost", {})
    if what == "cost":
        currency, old = cost["currency"], Decimal(cost["amount"])
        new = old * (1 + Decimal(rng.choice([-12, -8, -5, 4, 7, 11, 18])) / 100)
        new = quantize(new / 10, "JPY") * 10 if minor_units(currency) == 0 else quantize(
            new, currency)
        if new == old:  # a small amount that rounds back to itself
            new += 10
        changes["cost"] = cost = money(new, currency)
    elif what == "participants":
        changes["participants"] = [*fields["participants"], rng.choice(newcomers).stakeholder_id]
    elif what == "location":
        venues = (f"{spec.name}, {spec.city}", f"{spec.name} operations centre, {spec.city}",
                  *data.RESTAURANTS[spec.account_id])
        changes["location"] = rng.choice([v for v in venues if v != fields.get("location")])
    elif what == "kind":
        changes["kind"] = "regular_visit"
    else:
        changes["owner"] = rng.choice([m for m in (spec.manager, *spec.team)
                                       if m != fields["owner"]])
    if "allocation" in fields and what in ("cost", "participants"):
        participants = changes.get("participants", fields["participants"])
        if what == "cost" and (force == "clear" or not force and rng.random() < 0.5):
            changes["allocation"] = None  # back to an equal split
        else:
            shares = split_amount(Decimal(cost["amount"]), cost["currency"],
                            [2] + [1] * (len(participants) - 1))
            changes["allocation"] = dict(zip(participants, shares, strict=True))
    for key, value in changes.items():
        if value is None:
            fields.pop(key, None)
        else:
            fields[key] = value
    return changes, data.CORRECTION_REASONS[what]

"""The scripted part of the demo timeline: policy, rates, every account's cast, the
opportunities and their fishbones, and the storylines (promotions, departures, tier
changes, swings, breaches, late entries) that the simulation's random days fill in.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from functools import partial
from typing import Any

from ledger import demo_data as data
from ledger.demo_data import AccountSpec
from ledger.demo_sim import (
    APPROX_EUR,
    FIRST_ENGAGEMENT_DAY,
    POLICY,
    Person,
    PlannedEngagement,
    Simulation,
    money,
    slug,
    split_amount,
)
from ledger.money import minor_units, quantize


def schedule(demo: Simulation) -> None:
    """Put the policies, reference data and storylines on the simulation's calendar."""
    demo.emit("policy.set", demo.at(0, 8, 0, data.HQ_OFFSET), dict(POLICY))
    revised = {**POLICY, "annual_recipient_limit": "1200.00"}
    demo.later(270, lambda d: demo.emit("policy.set", demo.at(d, 8, 0, data.HQ_OFFSET),
                                        revised))
    _schedule_reference_data(demo)
    _schedule_storylines(demo)


_GROUPS = ("commercial_evaluation", "technical_evaluation", "selection_decision",
           "final_decision")
_ORG_KINDS = ("summit", "process_integration", "joint_initiative", "culture_recognition",
              "open_letter")


def _schedule_reference_data(demo: Simulation) -> None:
    """Rates, accounts, stakeholders, opportunities and the structural changes over time."""
    _schedule_rates(demo)
    for index, spec in enumerate(data.ACCOUNTS):
        demo.emit("account.registered", demo.at(0, 9, 5 * index, data.HQ_OFFSET), {
            "account_id": spec.account_id, "name": spec.name, "country": spec.country,
            "tier": spec.tier})
        _cast(demo, spec)
        _schedule_opportunities(demo, spec)
    for day, account_id, tier, reason in data.TIER_CHANGES:
        demo.later(day, partial(_change_tier, demo, account_id=account_id, tier=tier,
                                reason=reason))
    for day, account_id, position, reason in data.DEPARTURES:
        person = demo.positions[account_id][position]
        person.leave_day = day
        demo.later(day, partial(_depart, demo, person=person, reason=reason))
    for day in (140, 200, 265, 330, 395):
        demo.later(day, partial(_promote, demo))
    for day, change in ((160, "to_key"), (190, "to_general"), (245, "to_key"),
                        (275, "rising_star"), (335, "to_key"), (410, "to_key")):
        demo.later(day, partial(_change_layer, demo, change=change))


def _schedule_rates(demo: Simulation) -> None:
    """Monthly rates (a random walk) for USD, GBP, JPY and CNY; SEK only from day 240 on,
    so the SEK engagement of day 60 stays ``fx_rate_missing``."""
    rates = {currency: rate for currency, rate in APPROX_EUR.items() if currency != "EUR"}
    for day in range(0, demo.last_day, 30):
        for currency, rate in rates.items():
            if currency == "SEK" and day < 240:
                continue
            if day:
                rate *= 1 + Decimal(demo.rng.randint(-180, 180)) / 10000
            rates[currency] = rate.quantize(Decimal("0.0001" if rate > 0.1 else "0.000001"))
            demo.emit("fx.rate_set", demo.at(day, 8, 30, data.HQ_OFFSET),
                      {"currency": currency, "rate": str(rates[currency])})


def _cast(demo: Simulation, spec: AccountSpec) -> None:
    """Create the account's stakeholders and schedule their registrations."""
    rng = demo.rng
    given, surnames = data.NAMES[spec.names]
    count = spec.size + 1  # one spare name for a successor
    firsts, lasts = rng.sample(given, count), rng.sample(surnames, count)
    positions = list(data.POSITIONS[: spec.size])
    attitudes = rng.choices(list(data.ATTITUDE_WEIGHTS),
                            weights=list(data.ATTITUDE_WEIGHTS.values()), k=count)
    keys = [i for i, position in enumerate(positions) if position[1] == "key"]
    if 3 not in (attitudes[i] for i in keys):
        attitudes[rng.choice(keys[2:])] = 3
    if -1 not in (attitudes[i] for i in keys):
        attitudes[rng.choice(keys[1:])] = -1
    rising = set(rng.sample([i for i, p in enumerate(positions) if p[1] == "general"], 2))
    officials = data.PUBLIC_OFFICIALS.get(spec.account_id, ())
    for i, position in enumerate(positions):
        day = rng.randint(1, 14) if i < spec.size - 3 else rng.randint(90, 380)
        _cast_person(demo, spec, i, f"{firsts[i]}|{lasts[i]}", position, attitudes[i], day,
                     rising=i in rising, official=i in officials)
    for day, account_id, position_index in data.REPLACEMENTS:
        if account_id == spec.account_id:
            _cast_person(demo, spec, None, f"{firsts[-1]}|{lasts[-1]}",
                         positions[position_index], attitudes[-1], day)


def _cast_person(demo: Simulation, spec: AccountSpec, index: int | None, name: str,
                 position: tuple[str, str, str, str], attitude: int, day: int, *,
                 rising: bool = False, official: bool = False) -> None:
    """Create one stakeholder (``name`` is ``given|surname``) to register on ``day``."""
    rng = demo.rng
    role, layer, department, title = position
    first, last = name.split("|")
    birthday = (date(rng.randint(1962, 1992), rng.randint(1, 12), rng.randint(1, 28))
                if rng.random() < 0.45 else None)
    person = Person(f"{spec.prefix}-{slug(first)}-{slug(last)}", spec.account_id, role,
                     attitude, layer, rising, official, birthday, day)
    demo.people[spec.account_id].append(person)
    if index is not None:
        demo.positions[spec.account_id][index] = person
    full_name = f"{last} {first}" if spec.names == "cn" else f"{first} {last}"
    demo.later(day, partial(_register, demo, person=person, name=full_name, title=title,
                            department=department))


def _register(demo: Simulation, day: int, person: Person, name: str, title: str,
              department: str) -> None:
    body: dict[str, Any] = {
        "stakeholder_id": person.stakeholder_id, "account_id": person.account_id,
        "name": name, "title": title, "department": department, "role": person.role,
        "attitude": person.attitude, "layer": person.layer, "rising_star": person.rising_star,
        "public_official": person.public_official,
    }
    if person.birthday:
        body["birthday"] = person.birthday.isoformat()
    if person.public_official:
        body["notes"] = "Public official: every paid engagement needs prior approval."
    elif person.attitude == 3:
        body["notes"] = "Coach: tells us how the evaluation is going."
    spec = demo.specs[person.account_id]
    demo.emit("stakeholder.registered",
              demo.at(day, 10, demo.rng.randint(0, 59), spec.utc_offset), body)


def _schedule_opportunities(demo: Simulation, spec: AccountSpec) -> None:
    """Open the account's opportunities, place their fishbones, move people, close some."""
    rng = demo.rng
    windows = ((15, 60), (120, 220), (250, 330))
    for index, (name, value) in enumerate(data.OPPORTUNITIES[spec.account_id]):
        opportunity_id = f"{spec.prefix}-opp-{index + 1}"
        opened = rng.randint(*windows[index])
        demo.later(opened, partial(_open, demo, spec=spec, opportunity_id=opportunity_id,
                                   name=name, value=value))
        demo.later(opened + rng.randint(2, 8), partial(_place, demo,
                                                       opportunity_id=opportunity_id))
        demo.later(opened + 45, partial(_place, demo, opportunity_id=opportunity_id,
                                        moves=True))
        for day, account_id, which, outcome in data.CLOSINGS:
            if account_id == spec.account_id and which == index:
                demo.later(day, partial(_close, demo, opportunity_id=opportunity_id,
                                        outcome=outcome))


def _open(demo: Simulation, day: int, spec: AccountSpec, opportunity_id: str, name: str,
          value: Decimal) -> None:
    demo.opportunities[opportunity_id] = (spec.account_id, day, None)
    demo.emit("opportunity.opened", demo.at(day, 11, 0, spec.utc_offset), {
        "opportunity_id": opportunity_id, "account_id": spec.account_id, "name": name,
        "value": money(value, spec.currency)})


def _place(demo: Simulation, day: int, opportunity_id: str, *, moves: bool = False) -> None:
    """Place 6–10 people on the fishbone (key people closest), or move one or two of them."""
    rng = demo.rng
    account_id, _, closed = demo.opportunities[opportunity_id]
    if closed is not None:
        return
    people = demo.active(account_id, day)
    spec = demo.specs[account_id]
    if moves:
        placements = [(p, rng.choice(_GROUPS), rng.randint(1, 3))
                      for p in rng.sample(people, min(2, len(people)))]
    else:
        chosen = rng.sample(people, min(rng.randint(6, 10), len(people)))
        chosen.sort(key=lambda p: p.layer != "key")
        placements = [(p, _GROUPS[i % 4], 1 if i < 4 else rng.choice((1, 2, 2, 3, 3)))
                      for i, p in enumerate(chosen)]
    for minute, (person, group, proximity) in enumerate(placements):
        demo.emit("opportunity.stakeholder_placed", demo.at(day, 15, minute, spec.utc_offset), {
            "opportunity_id": opportunity_id, "stakeholder_id": person.stakeholder_id,
            "group": group, "proximity": proximity})


def _close(demo: Simulation, day: int, opportunity_id: str, outcome: str) -> None:
    account_id, opened, _ = demo.opportunities[opportunity_id]
    demo.opportunities[opportunity_id] = (account_id, opened, day)
    demo.emit("opportunity.closed", demo.at(day, 16, 0, demo.specs[account_id].utc_offset),
              {"opportunity_id": opportunity_id, "outcome": outcome})


def _depart(demo: Simulation, day: int, person: Person, reason: str) -> None:
    offset = demo.specs[person.account_id].utc_offset
    demo.emit("stakeholder.departed", demo.at(day, 17, 0, offset),
              {"stakeholder_id": person.stakeholder_id, "reason": reason})


def _change_tier(demo: Simulation, day: int, account_id: str, tier: str, reason: str) -> None:
    demo.tier[account_id] = tier
    demo.emit("account.tier_changed", demo.at(day, 9, 0, data.HQ_OFFSET),
              {"account_id": account_id, "tier": tier, "reason": reason})


def _promote(demo: Simulation, day: int) -> None:
    """An influencer or evaluator somewhere gains weight in the buying decision."""
    steps = {"influencer": "evaluator", "evaluator": "decision_supporter"}
    spec = demo.rng.choice(data.ACCOUNTS)
    candidates = [p for p in demo.active(spec.account_id, day)
                  if p.role in steps and p.leave_day is None]
    if candidates:
        person = demo.rng.choice(candidates)
        person.role = steps[person.role]
        demo.emit("stakeholder.role_changed", demo.at(day, 9, 15, spec.utc_offset), {
            "stakeholder_id": person.stakeholder_id, "role": person.role,
            "reason": demo.rng.choice(data.ROLE_CHANGE_REASONS)})


def _change_layer(demo: Simulation, day: int, change: str) -> None:
    """Promote a rising star to key, demote a key contact, or spot a new rising star."""
    spec = demo.rng.choice(data.ACCOUNTS)
    people = [p for p in demo.active(spec.account_id, day) if p.leave_day is None]
    body: dict[str, Any]
    if change == "to_key":
        candidates = [p for p in people if p.rising_star] or [
            p for p in people if p.layer == "general"]
        body = {"layer": "key", "rising_star": False}
    elif change == "to_general":
        candidates = [p for p in people if p.layer == "key" and not p.scripted
                      and p.role in ("evaluator", "decision_supporter")]
        body = {"layer": "general"}
    else:
        candidates = [p for p in people if p.layer == "general" and not p.rising_star]
        body = {"rising_star": True}
    if candidates:
        person = demo.rng.choice(candidates)
        person.layer = body.get("layer", person.layer)
        person.rising_star = body.get("rising_star", person.rising_star)
        demo.emit("stakeholder.layer_changed", demo.at(day, 9, 45, spec.utc_offset),
                  {"stakeholder_id": person.stakeholder_id, **body})


def _schedule_storylines(demo: Simulation) -> None:
    """Scripted stories: a coach climbs the ladder, an opponent gets the three remedies,
    every organizational element appears, and the breaches compliance must find."""
    nordlicht, specs = demo.specs["nordlicht-telekom"], demo.specs
    who = demo.positions
    coach, opponent = who["nordlicht-telekom"][3], who["nordlicht-telekom"][1]
    coach.attitude, opponent.attitude = 1, -1
    coach.scripted = opponent.scripted = True
    first_day = FIRST_ENGAGEMENT_DAY + 10
    mwc = next(d for d in range(first_day, demo.last_day)
               if (demo.start + timedelta(days=d)).timetuple()[1:3] == (3, 3))

    def engagement(day: int, account_id: str, kind: str, positions: tuple[int, ...],
                   cost: str | None, **options: Any) -> None:
        spec = specs[account_id]
        people = [who[account_id][i] for i in positions]
        hour, minute, setting = data.KEY_SETTINGS.get(kind, (10, 0, "office"))
        options.setdefault("location", demo.place(spec, setting))
        demo.later(day, lambda d: demo.engage(
            spec, d, kind, people, Decimal(cost) if cost else None, hour, minute, **options))

    def attitude(day: int, person: Person, value: int, reason: str) -> None:
        demo.later(day, lambda d: demo.change_attitude(nordlicht, d, person, value, reason))

    nt = "nordlicht-telekom"
    engagement(30, nt, "office_visit", (3, 7), None, notes="Kick-off of the RAN swap evaluation")
    engagement(45, nt, "regular_visit", (3,), None, notes="Monthly planning sync")
    engagement(70, nt, "dinner", (3, 6), "262.40")
    attitude(100, coach, 2, "Confirmed after our dinner that our proposal is their favourite")
    engagement(125, nt, "private_activity", (3,), "185.00")
    engagement(180, nt, "family_banquet", (3,), "228.00", notes="His daughter's graduation")
    attitude(210, coach, 3, "Coaches us now: shared the evaluation weighting")
    engagement(290, nt, "home_visit", (3,), None, notes="Barbecue at his home; brought wine")
    engagement(55, nt, "executive_visit", (1,), "96.50", notes="CEO meets CFO on TCO",
               hosts=[nordlicht.manager, data.EXECUTIVES[0]])
    engagement(mwc, nt, "exhibition_invite", (1,), "236.00", location="MWC Barcelona")
    attitude(mwc + 4, opponent, 0, "Impressed by the energy-saving demo at MWC")
    engagement(240, nt, "hq_visit", (1, 5), "478.00", hosts=[nordlicht.manager,
                                                             data.EXECUTIVES[2]])
    attitude(300, opponent, 1, "Accepted our TCO model after the HQ visit")
    engagement(90, nt, "summit", (), "8400.00", approval="given",
               location="Hotel Atlantic, Hamburg", notes="Annual executive summit")
    engagement(150, nt, "process_integration", (), None, notes=data.PROCESS_INTEGRATIONS[0])
    engagement(240, nt, "joint_initiative", (), "12000.00", approval="later",
               notes=data.JOINT_INITIATIVES[0])
    engagement(380, nt, "culture_recognition", (), "3200.00", approval="given",
               notes=data.CULTURE_RECOGNITIONS[1])
    for spec in data.ACCOUNTS:
        engagement(185, spec.account_id, "open_letter", (), None,
                   notes="CEO letter on delivery delays caused by the chip shortage",
                   hosts=[data.EXECUTIVES[0]], location=None)
    # Breaches compliance should find (never approved, corrected or voided).
    breach: dict[str, Any] = {"approval": "none", "protected": True}
    engagement(120, nt, "gift", (2,), "240.00", notes="Limited-edition pen set", **breach)
    engagement(150, "hikari-networks", "gift", (3, 6), "470.00", notes="Whisky set", **breach)
    engagement(175, "albion-connect", "dinner", (0, 3), "807.00", **breach)
    engagement(200, "pacific-wave", "hq_visit", (2, 3, 7), "9016.00", **breach)
    engagement(260, "jade-river-mobile", "dinner", (1, 5), "307.20", **breach)
    engagement(60, "aurora-mobile", "exhibition_invite", (3, 6), "366.00", currency="SEK",
               location="Stockholm Tech Days", **breach)
    engagement(230, "pacific-wave", "exhibition_invite", (0, 4), "4968.00", approval="later",
               location="Network X, Paris")
    engagement(320, "aurora-mobile", "business_exchange", (8, 9, 10), "240.00",
               currency="SEK", notes="Joint booth at Stockholm Tech Days")


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

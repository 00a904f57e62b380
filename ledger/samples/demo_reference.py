"""The demo's reference data (:mod:`ledger.samples.demo_script` schedules it): monthly exchange
rates, the accounts and every account's cast of stakeholders, the opportunities with their
fishbones, the account teams, and the structural changes over time (tier changes, a
handover, departures, promotions, layer changes). Each piece is put on the simulation's
calendar, drawing from :mod:`ledger.samples.demo_data` with the simulation's seeded
``random.Random``.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import partial
from typing import Any

from ledger.contract.vocabulary import GROUPS
from ledger.samples import demo_data as data
from ledger.samples.demo_data import AccountSpec
from ledger.samples.demo_model import APPROX_EUR, Person, money, slug
from ledger.samples.demo_sim import Simulation


def schedule_reference_data(demo: Simulation) -> None:
    """Rates, accounts, stakeholders, opportunities and the structural changes over time."""
    _schedule_rates(demo)
    for index, spec in enumerate(data.ACCOUNTS):
        registered = demo.emit("account.registered", demo.at(0, 9, 5 * index, data.HQ_OFFSET),
                               {"account_id": spec.account_id, "name": spec.name,
                                "country": spec.country, "tier": spec.tier})
        _emit_team(demo, registered, spec.account_id, spec.manager, spec.team,
                   "Account team at registration")
        _cast(demo, spec)
        _schedule_opportunities(demo, spec)
    for day, account_id, owner, members, reason in data.HANDOVERS:
        demo.later(day, partial(_set_team, demo, account_id=account_id, owner=owner,
                                members=members, reason=reason))
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
        placements = [(p, rng.choice(GROUPS), rng.randint(1, 3))
                      for p in rng.sample(people, min(2, len(people)))]
    else:
        chosen = rng.sample(people, min(rng.randint(6, 10), len(people)))
        chosen.sort(key=lambda p: p.layer != "key")
        placements = [(p, GROUPS[i % 4], 1 if i < 4 else rng.choice((1, 2, 2, 3, 3)))
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


def employee_id(name: str) -> str:
    """Our employee's id in team events and team tokens: ``Laura Brenner`` → ``laura.brenner``."""
    return slug(name).replace("-", ".")


def _set_team(demo: Simulation, day: int, account_id: str, owner: str,
              members: tuple[str, ...], reason: str) -> None:
    _emit_team(demo, demo.at(day, 9, 30, data.HQ_OFFSET), account_id, owner, members, reason)


def _emit_team(demo: Simulation, occurred: datetime, account_id: str, owner: str,
               members: tuple[str, ...], reason: str) -> None:
    # Recorded as it occurs: the team events must not draw from the simulation's random
    # numbers, so every other event of the demo stays as it was.
    demo.emit("account.team_set", occurred, {
        "account_id": account_id, "owner": employee_id(owner),
        "members": [employee_id(m) for m in members], "reason": reason},
        delay=timedelta(0))


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

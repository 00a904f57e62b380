"""Hypothesis strategies: random but valid event logs (late entries, corrections, voids …)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from hypothesis import strategies as st

from ledger.contract.vocabulary import ROLE_WEIGHTS
from tests.unit.projections.builder import EPOCH, Log

KINDS = ("office_visit", "regular_visit", "dinner", "family_banquet", "home_visit",
         "executive_visit", "hq_visit", "gift", "business_exchange", "summit",
         "joint_initiative", "culture_recognition", "open_letter")
CURRENCIES = ("EUR", "USD", "JPY", "GBP")
AMOUNTS = {"EUR": ("0.00", "0.01", "10.00", "99.99", "250.50", "1000.00", "75", "0.5"),
           "USD": ("0.03", "10.00", "333.33", "1200.00", "12.5"),
           "GBP": ("1.00", "75.25"), "JPY": ("1", "999", "15000")}
RATES = {"USD": ("0.9", "0.91234", "1.05"), "GBP": ("1.17", "1.2"), "JPY": ("0.0061",)}


EVERY_TYPE = ("depart", "layer", "tier", "close", "policy", "forget", "team")
"""The actions ``every_type`` adds: departures, layer and tier changes, closings, later
policies (some changing the base currency), erasures and account teams."""


@st.composite
def event_logs(draw: st.DrawFn, *, corrections: bool = True, max_steps: int = 25,
               every_type: bool = False, limits: bool = False) -> Log:
    """A valid log: a policy, accounts, stakeholders, then random activity.

    ``recorded_at`` never decreases with position (the server's clock); ``occurred_at``
    is at or before it, sometimes weeks before (late entries). ``every_type`` adds every
    other event type of SPEC §3.2 (a later engagement may still name a person who departed
    or was forgotten: the write side refuses some of those, the views take what comes).
    ``limits`` always starts with a policy that has every limit (flags of every kind).
    """
    log = Log()
    clock = [EPOCH]

    def tick(late: bool = True) -> tuple[Any, Any]:
        clock[0] += timedelta(hours=draw(st.integers(0, 24 * 20)))
        lateness = timedelta(days=draw(st.sampled_from((0, 0, 0, 1, 10, 30, 45)))) if late else (
            timedelta(0))
        return clock[0] - lateness, clock[0]

    every_limit = {"gift_item_limit": "50.00", "hospitality_per_person_limit": "100.00",
                   "annual_recipient_limit": "300.00", "pre_approval_above": "500.00"}
    first = every_limit if limits else draw(st.sampled_from(({}, every_limit)))
    log.policy(*tick(late=False), **first)
    for currency in draw(st.sets(st.sampled_from(sorted(RATES)))):
        log.add("fx.rate_set", {"currency": currency,
                                "rate": draw(st.sampled_from(RATES[currency]))},
                *tick(late=False))
    accounts: dict[str, list[str]] = {}
    for a in range(draw(st.integers(1, 2))):
        aid = f"acc{a}"
        log.add("account.registered", {"account_id": aid, "name": aid}, *tick(late=False))
        accounts[aid] = []
        for s in range(draw(st.integers(1, 3))):
            sid = f"{aid}-p{s}"
            log.add("stakeholder.registered", {
                "stakeholder_id": sid, "account_id": aid, "name": sid,
                "role": draw(st.sampled_from(sorted(ROLE_WEIGHTS))),
                "attitude": draw(st.integers(-1, 3)),
                "layer": draw(st.sampled_from(("key", "general"))),
                "public_official": draw(st.booleans())}, *tick(late=False))
            accounts[aid].append(sid)
    engagements: dict[str, dict[str, Any]] = {}
    opened: list[str] = []
    for step in range(draw(st.integers(0, max_steps))):
        action = draw(st.sampled_from(
            ("engage", "engage", "engage", "attitude", "role", "rate", "rate", "opportunity")
            + (("correct", "void", "approve") if corrections else ())
            + (EVERY_TYPE if every_type else ())))
        aid = draw(st.sampled_from(sorted(accounts)))
        people = accounts[aid]
        if action in EVERY_TYPE:
            _other(draw, log, action, aid, people, opened, tick)
        elif action == "engage":
            eid = f"e{step}"
            fields = _fields(draw, people)
            log.add("engagement.recorded", {
                "engagement_id": eid, "account_id": aid, **fields}, *tick())
            engagements[eid] = {"account_id": aid, "voided": False, **fields}
        elif action == "attitude":
            log.add("stakeholder.attitude_changed", {
                "stakeholder_id": draw(st.sampled_from(people)),
                "attitude": draw(st.integers(-1, 3)), "reason": "observed"}, *tick())
        elif action == "role":
            log.add("stakeholder.role_changed", {
                "stakeholder_id": draw(st.sampled_from(people)),
                "role": draw(st.sampled_from(sorted(ROLE_WEIGHTS)))}, *tick())
        elif action == "rate":
            currency = draw(st.sampled_from(sorted(RATES)))
            log.add("fx.rate_set", {"currency": currency,
                                    "rate": draw(st.sampled_from(RATES[currency]))}, *tick())
        elif action == "opportunity":
            oid = f"o{step}"
            log.add("opportunity.opened", {"opportunity_id": oid, "account_id": aid,
                                           "name": oid}, *tick(late=False))
            opened.append(oid)
            log.add("opportunity.stakeholder_placed", {
                "opportunity_id": oid, "stakeholder_id": draw(st.sampled_from(people)),
                "group": "final_decision", "proximity": draw(st.integers(1, 3))}, *tick())
        else:
            live = sorted(eid for eid, e in engagements.items() if not e["voided"])
            if not live:
                continue
            eid = draw(st.sampled_from(live))
            if action == "correct":
                log.add("engagement.corrected", {
                    "engagement_id": eid, "reason": "typo",
                    "changes": _correction(draw, engagements[eid], accounts)}, *tick())
            elif action == "void":
                log.add("engagement.voided", {"engagement_id": eid, "reason": "dup"}, *tick())
                engagements[eid]["voided"] = True
            else:
                log.add("engagement.approved", {"engagement_id": eid, "approval_ref": "A-1",
                                                "approver": "boss"}, *tick())
    return log


def _fields(draw: st.DrawFn, people: list[str]) -> dict[str, Any]:
    kind = draw(st.sampled_from(KINDS))
    minimum = 1 if kind in KINDS[:8] else 0
    participants = draw(st.lists(st.sampled_from(people), min_size=minimum, unique=True))
    fields: dict[str, Any] = {"kind": kind, "participants": participants, "owner": "owner-1"}
    if kind == "gift" or draw(st.booleans()):
        currency = draw(st.sampled_from(CURRENCIES))
        amount = draw(st.sampled_from(AMOUNTS[currency]))
        fields["cost"] = {"amount": amount, "currency": currency}
        if participants and draw(st.booleans()):
            fields["allocation"] = {sid: amount if n == 0 else "0"
                                    for n, sid in enumerate(participants)}
    return fields


def _correction(draw: st.DrawFn, engagement: dict[str, Any],
                accounts: dict[str, list[str]]) -> dict[str, Any]:
    """A valid change to ``engagement`` (which is updated in place)."""
    kind = engagement["kind"]
    choice = draw(st.sampled_from(("cost", "participants", "kind", "owner")))
    changes: dict[str, Any]
    if choice == "cost":
        currency = draw(st.sampled_from(CURRENCIES))
        changes = {"cost": {"amount": draw(st.sampled_from(AMOUNTS[currency])),
                            "currency": currency}, "allocation": None}
    elif choice == "participants":
        minimum = 1 if kind in KINDS[:8] else 0
        changes = {"participants": draw(st.lists(
            st.sampled_from(accounts[engagement["account_id"]]), min_size=minimum,
            unique=True)), "allocation": None}
    elif choice == "kind" and engagement["participants"]:
        changes = {"kind": draw(st.sampled_from([k for k in KINDS if k != "gift"]))}
    else:
        changes = {"owner": draw(st.sampled_from(("owner-2", "owner-3")))}
    engagement.update(changes)
    return changes


def _other(draw: st.DrawFn, log: Log, action: str, aid: str, people: list[str],
           opened: list[str], tick: Any) -> None:
    """One event of the types :data:`EVERY_TYPE` stands for."""
    person = draw(st.sampled_from(people))
    if action == "depart":
        log.add("stakeholder.departed", {"stakeholder_id": person, "reason": "left"}, *tick())
    elif action == "layer":
        log.add("stakeholder.layer_changed", {
            "stakeholder_id": person, "layer": draw(st.sampled_from(("key", "general"))),
            "rising_star": draw(st.booleans())}, *tick())
    elif action == "tier":
        log.add("account.tier_changed", {
            "account_id": aid, "tier": draw(st.sampled_from(("strategic", "standard")))},
            *tick())
    elif action == "close":
        if not opened:
            opened.append(f"oc{len(log.records)}")
            log.add("opportunity.opened", {"opportunity_id": opened[0], "account_id": aid,
                                           "name": opened[0]}, *tick(late=False))
        log.add("opportunity.closed", {"opportunity_id": opened.pop(0),
                                       "outcome": draw(st.sampled_from(("won", "lost")))},
                *tick())
    elif action == "policy":
        log.policy(*tick(), gift_item_limit=draw(st.sampled_from(("10.00", "80.00"))),
                   late_entry_days=draw(st.integers(1, 60)),
                   base_currency=draw(st.sampled_from(("EUR", "EUR", "USD"))))
    elif action == "team":
        log.add("account.team_set", {
            "account_id": aid, "owner": draw(st.sampled_from(("li.na", "max.weber"))),
            "members": draw(st.lists(st.sampled_from(("ana.ruiz", "tom.berg")), unique=True))},
            *tick())
    elif action == "forget":
        log.add("stakeholder.forgotten", {"stakeholder_id": person, "reason": "asked"},
                *tick(late=False))

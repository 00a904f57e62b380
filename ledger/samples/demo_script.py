"""The scripted part of the demo timeline: policy, rates, every account's cast, the
opportunities and their fishbones, and the storylines (promotions, departures, tier
changes, swings, breaches, late entries) that the simulation's random days fill in.

This module schedules the policy and the storylines itself; the reference data comes from
:mod:`ledger.samples.demo_reference` and the after-the-fact approvals, corrections and voids
(:func:`fix_records`) from :mod:`ledger.samples.demo_fixes`.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from ledger.samples import demo_data as data
from ledger.samples.demo_fixes import fix_records
from ledger.samples.demo_model import FIRST_ENGAGEMENT_DAY, POLICY, Person
from ledger.samples.demo_reference import schedule_reference_data
from ledger.samples.demo_sim import Simulation

__all__ = ["fix_records", "schedule"]


def schedule(demo: Simulation) -> None:
    """Put the policies, reference data and storylines on the simulation's calendar."""
    demo.emit("policy.set", demo.at(0, 8, 0, data.HQ_OFFSET), dict(POLICY))
    revised = {**POLICY, "annual_recipient_limit": "1200.00"}
    demo.later(270, lambda d: demo.emit("policy.set", demo.at(d, 8, 0, data.HQ_OFFSET),
                                        revised))
    schedule_reference_data(demo)
    _schedule_storylines(demo)


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

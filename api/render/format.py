"""Words and number formats shared by the Markdown, HTML and web UI renderings.

Figures are rendered from the JSON values without recomputing them: money keeps its
decimals (only thousands separators are added), scores keep their one decimal.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

ROLES = {"approver": "Approver", "decision_maker": "Decision maker",
         "decision_supporter": "Decision supporter", "evaluator": "Evaluator",
         "influencer": "Influencer"}
ATTITUDES = {-1: "opposes us", 0: "neutral", 1: "supports us (not exclusively)",
             2: "supports us exclusively", 3: "coach"}
ATTITUDE_SHORT = {-1: "Opposes", 0: "Neutral", 1: "Supports", 2: "Exclusive", 3: "Coach"}
GROUP_LABELS = {"commercial_evaluation": "Commercial evaluation",
          "technical_evaluation": "Technical evaluation",
          "selection_decision": "Selection decision", "final_decision": "Final decision"}
STAGES = {"none": "None", "communication": "Communication", "matching": "Matching",
          "joint": "Joint", "recognition": "Recognition"}
FLAGS = {"gift_over_limit": "Gift over limit",
         "hospitality_over_limit": "Hospitality over limit",
         "annual_limit_exceeded": "Annual recipient limit exceeded",
         "missing_approval": "Missing pre-approval",
         "public_official_unapproved": "Public official, not approved",
         "late_entry": "Late entry", "fx_rate_missing": "Exchange rate missing"}
EVENTS = {"stakeholder.registered": "Registered", "stakeholder.role_changed": "Role changed",
          "stakeholder.attitude_changed": "Attitude changed",
          "stakeholder.layer_changed": "Layer changed", "stakeholder.departed": "Departed",
          "stakeholder.forgotten": "Forgotten (erasure)",
          "opportunity.stakeholder_placed": "Placed on a fishbone",
          "engagement.recorded": "Engagement", "engagement.corrected": "Correction",
          "engagement.voided": "Void", "engagement.approved": "Approval"}


SPECIAL = {"hq_visit": "HQ visit", "sports_culture": "Sports and culture",
           "engagement_id": "engagement", "opportunity_id": "opportunity"}


def humanize(code: str | None) -> str:
    """``private_activity`` → ``Private activity``."""
    if not code:
        return ""
    if code in SPECIAL:
        return SPECIAL[code]
    return code.replace("_", " ").replace(".", " ").capitalize()


def role(code: str | None) -> str:
    """The reader's name of a role code."""
    return ROLES.get(code or "", humanize(code))


def attitude(value: int | None) -> str:
    """``2`` → ``+2 supports us exclusively``; ``None`` → ``–``."""
    if value is None:
        return "–"
    return f"{signed(value)} {ATTITUDES.get(value, '')}".strip()


def signed(value: int | None) -> str:
    """An attitude with its sign (``−1``, ``0``, ``+2``)."""
    if value is None:
        return "–"
    return f"+{value}" if value > 0 else ("−1" if value == -1 else str(value))


def money(amount: str | None) -> str:
    """``"13810.59"`` → ``"13,810.59"``: thousands separators, decimals untouched."""
    if amount is None:
        return "–"
    try:
        return f"{Decimal(amount):,}"
    except InvalidOperation:
        return str(amount)


def limit(text: str | None) -> str:
    """A flag's limit: an amount gets separators, anything else (``30 days``) stays."""
    if text is None:
        return "–"
    try:
        return f"{Decimal(text):,}"
    except InvalidOperation:
        return text


def score(value: float | None) -> str:
    """A relationship score as the API gives it (one decimal), ``n/a`` when null."""
    return "n/a" if value is None else f"{value:.1f}"


def coverage(value: float | None) -> str:
    """Decision coverage as a percentage (``0.5`` → ``50 %``), ``n/a`` when null."""
    if value is None:
        return "n/a"
    percent = Decimal(str(value)) * 100
    text = f"{percent.normalize():f}" if percent != percent.to_integral() else f"{int(percent)}"
    return f"{text} %"


def delta(now: float | None, before: float | None) -> str:
    """The change between two scores (``+3.5``, ``−1.2``, ``±0.0``), empty when unknown."""
    if now is None or before is None:
        return ""
    change = Decimal(str(now)) - Decimal(str(before))
    if change > 0:
        return f"+{change}"
    return f"−{-change}" if change < 0 else "±0.0"


def parse_time(text: str) -> datetime:
    """An RFC 3339 string from the API as an aware UTC datetime."""
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def day(text: str | None) -> str:
    """``2026-03-01T19:30:00Z`` → ``1 Mar 2026``."""
    if not text:
        return "–"
    moment = parse_time(text)
    return f"{moment.day} {moment:%b %Y}"


def moment(text: str | None) -> str:
    """A timestamp for readers: ``1 Mar 2026 19:30 UTC``, or ``end of 1 Mar 2026 (UTC)``."""
    if not text:
        return "–"
    at = parse_time(text)
    if (at.hour, at.minute, at.second, at.microsecond) == (23, 59, 59, 999999):
        return f"end of {at.day} {at:%b %Y} (UTC)"
    return f"{at.day} {at:%b %Y %H:%M} UTC"


def point_sentence(as_of: str, known_at: str, subject: str = "The account") -> str:
    """Say plainly which point in time a page shows (valid time, then transaction time)."""
    return (f"{subject} as it stood at {moment(as_of)}, "
            f"as recorded by {moment(known_at)}.")


def who(names: dict[str, str], stakeholder_id: str | None) -> str:
    """A stakeholder's name with the id, or the id alone when the name is unknown."""
    if stakeholder_id is None:
        return "(no participants: account cost)"
    name = names.get(stakeholder_id)
    return f"{name} ({stakeholder_id})" if name and name != stakeholder_id else stakeholder_id


def filters() -> dict[str, Any]:
    """The functions above as template filters."""
    return {"role": role, "attitude": attitude, "signed": signed, "money": money,
            "score": score, "limit": limit, "coverage": coverage, "day": day, "moment": moment,
            "humanize": humanize, "stage": lambda c: STAGES.get(c, humanize(c)),
            "flag_label": lambda c: FLAGS.get(c, humanize(c)),
            "group_label": lambda c: GROUP_LABELS.get(c, humanize(c)),
            "event_label": lambda c: EVENTS.get(c, humanize(c)),
            "attitude_short": lambda v: ATTITUDE_SHORT.get(v, "–")}

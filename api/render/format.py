"""Words and number formats shared by the Markdown, HTML and web UI renderings.

Figures are rendered from the JSON values without recomputing them: money keeps its
decimals (only thousands separators are added), scores keep their one decimal.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from babel.dates import format_date, format_skeleton, format_time
from babel.numbers import format_decimal

from api.render.i18n import N_, current
from api.render.i18n import gettext as _

# The practice's vocabulary (SPEC §2); the Chinese catalog uses the key-account teams'
# own words (批准者 … 影响者, 反对 … 教练, 办公室拜访 … 家访).
ROLES = {"approver": N_("Approver"), "decision_maker": N_("Decision maker"),
         "decision_supporter": N_("Decision supporter"), "evaluator": N_("Evaluator"),
         "influencer": N_("Influencer")}
ATTITUDES = {-1: N_("opposes us"), 0: N_("neutral"), 1: N_("supports us (not exclusively)"),
             2: N_("supports us exclusively"), 3: N_("coach")}
ATTITUDE_SHORT = {-1: N_("Opposes"), 0: N_("Neutral"), 1: N_("Supports"),
                  2: N_("Exclusive"), 3: N_("Coach")}
GROUP_LABELS = {"commercial_evaluation": N_("Commercial evaluation"),
                "technical_evaluation": N_("Technical evaluation"),
                "selection_decision": N_("Selection decision"),
                "final_decision": N_("Final decision")}
STAGES = {"none": N_("None"), "communication": N_("Communication"), "matching": N_("Matching"),
          "joint": N_("Joint"), "recognition": N_("Recognition")}
FLAGS = {"gift_over_limit": N_("Gift over limit"),
         "hospitality_over_limit": N_("Hospitality over limit"),
         "annual_limit_exceeded": N_("Annual recipient limit exceeded"),
         "missing_approval": N_("Missing pre-approval"),
         "public_official_unapproved": N_("Public official, not approved"),
         "late_entry": N_("Late entry"), "fx_rate_missing": N_("Exchange rate missing")}
EVENTS = {"stakeholder.registered": N_("Registered"),
          "stakeholder.role_changed": N_("Role changed"),
          "stakeholder.attitude_changed": N_("Attitude changed"),
          "stakeholder.layer_changed": N_("Layer changed"),
          "stakeholder.departed": N_("Departed"),
          "stakeholder.forgotten": N_("Forgotten (erasure)"),
          "opportunity.stakeholder_placed": N_("Placed on a fishbone"),
          "engagement.recorded": N_("Engagement"), "engagement.corrected": N_("Correction"),
          "engagement.voided": N_("Void"), "engagement.approved": N_("Approval")}
KINDS = {"office_visit": N_("Office visit"), "regular_visit": N_("Regular visit"),
         "dinner": N_("Dinner"), "private_activity": N_("Private activity"),
         "family_banquet": N_("Family banquet"), "home_visit": N_("Home visit"),
         "executive_visit": N_("Executive visit"),
         "exhibition_invite": N_("Exhibition invite"), "hq_visit": N_("HQ visit"),
         "business_exchange": N_("Business exchange"), "greeting": N_("Greeting"),
         "gift": N_("Gift"), "sports_culture": N_("Sports and culture"),
         "summit": N_("Summit"), "process_integration": N_("Process integration"),
         "joint_initiative": N_("Joint initiative"),
         "culture_recognition": N_("Culture recognition"), "open_letter": N_("Open letter")}
LAYERS = {"key": N_("Key"), "general": N_("General"), "organizational": N_("Organizational")}
TIERS = {"strategic": N_("strategic"), "standard": N_("standard")}
WORDS = {"engagement_id": N_("engagement"), "opportunity_id": N_("opportunity"),
         **KINDS, **LAYERS, **TIERS}
FIELDS = {name: label for name, label in (
    ("kind", N_("Kind")), ("participants", N_("Participants")), ("owner", N_("Owner")),
    ("hosts", N_("Hosts")), ("cost", N_("Cost")), ("allocation", N_("Allocation")),
    ("opportunity_id", N_("Opportunity")), ("approval_ref", N_("Approval reference")),
    ("approver", N_("Approver")), ("location", N_("Location")), ("notes", N_("Notes")),
    ("reason", N_("Reason")), ("role", N_("Role")), ("attitude", N_("Attitude")),
    ("layer", N_("Layer")), ("rising_star", N_("Rising star")),
    ("public_official", N_("Public official")), ("observed_by", N_("Observed by")),
    ("name", N_("Name")), ("title", N_("Title")), ("department", N_("Department")),
    ("birthday", N_("Birthday")), ("group", N_("Group")), ("proximity", N_("Proximity")),
    ("changes", N_("Changes")), ("engagement_id", N_("engagement")),
    ("stakeholder_id", N_("Stakeholder id")), ("account_id", N_("Account")))}
"""Field names as the history's change summaries show them."""
OUTCOMES = {"would record": N_("would record"), "recorded": N_("recorded"),
            "already recorded": N_("already recorded"), "skipped": N_("skipped"),
            "refused": N_("refused")}
ERROR_TITLES = (N_("Not allowed"), N_("Not found"), N_("Conflict"), N_("Rule violation"),
                N_("Invalid query"), N_("Event store unavailable"), N_("Batch too large"))
"""The titles an error page may carry (api.errors names them; marked here for the catalog)."""
STATUS_LABELS = {"open": N_("Open"), "resolved": N_("Resolved"), "all": N_("All")}
DATE_PATTERNS = {"en": "d MMM y", "zh_CN": "y年M月d日"}


def humanize(code: str | None) -> str:
    """``private_activity`` → ``Private activity`` (in the reader's language when the code
    is a kind, layer or tier of the vocabulary)."""
    if not code:
        return ""
    if code in WORDS:
        return _(WORDS[code])
    return code.replace("_", " ").replace(".", " ").capitalize()


def role(code: str | None) -> str:
    """The reader's name of a role code."""
    return _(ROLES[code]) if code in ROLES else humanize(code)


def attitude(value: int | None) -> str:
    """``2`` → ``+2 supports us exclusively``; ``None`` → ``–``."""
    if value is None:
        return "–"
    words = _(ATTITUDES[value]) if value in ATTITUDES else ""
    return f"{signed(value)} {words}".strip()


def attitude_short(value: int | None) -> str:
    """``3`` → ``Coach``; ``None`` → ``–``."""
    return _(ATTITUDE_SHORT[value]) if value in ATTITUDE_SHORT else "–"


def label(table: dict[str, str], code: str | None) -> str:
    """The reader's name of a code from one of the tables above."""
    return _(table[code]) if code in table else humanize(code)


def signed(value: int | None) -> str:
    """An attitude with its sign (``−1``, ``0``, ``+2``)."""
    if value is None:
        return "–"
    return f"+{value}" if value > 0 else ("−1" if value == -1 else str(value))


def number(value: Decimal) -> str:
    """A decimal with the reader's grouping and separators, its decimals untouched."""
    places = max(-int(value.as_tuple().exponent), 0)
    pattern = "#,##0" + ("." + "0" * places if places else "")
    return format_decimal(value, format=pattern, locale=current())


def money(amount: str | None) -> str:
    """``"13810.59"`` → ``"13,810.59"``: thousands separators, decimals untouched."""
    if amount is None:
        return "–"
    try:
        return number(Decimal(amount))
    except InvalidOperation:
        return str(amount)


def limit(text: str | None) -> str:
    """A flag's limit: an amount gets separators; ``30 days`` is said in the reader's words."""
    if text is None:
        return "–"
    try:
        return number(Decimal(text))
    except InvalidOperation:
        days, _sep, unit = text.partition(" ")
        if unit == "days" and days.isdigit():
            return _("%(days)s days") % {"days": days}
        return text


def score(value: float | None) -> str:
    """A relationship score as the API gives it (one decimal), ``n/a`` when null."""
    return _("n/a") if value is None else f"{value:.1f}"


def coverage(value: float | None) -> str:
    """Decision coverage as a percentage (``0.5`` → ``50 %``), ``n/a`` when null."""
    if value is None:
        return _("n/a")
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


def date_of(moment: datetime) -> str:
    """A date in the reader's form: ``1 Mar 2026``, ``2026年3月1日``."""
    return format_date(moment.date(), DATE_PATTERNS.get(current(), "medium"), locale=current())


def month_of(moment: datetime) -> str:
    """A month in the reader's form: ``Mar 2026``, ``2026年3月``."""
    return format_skeleton("yMMM", moment, locale=current())


def day(text: str | None) -> str:
    """``2026-03-01T19:30:00Z`` → ``1 Mar 2026``."""
    if not text:
        return "–"
    return date_of(parse_time(text))


def moment(text: str | None) -> str:
    """A timestamp for readers: ``1 Mar 2026 19:30 UTC``, or ``end of 1 Mar 2026 (UTC)``."""
    if not text:
        return "–"
    at = parse_time(text)
    if (at.hour, at.minute, at.second, at.microsecond) == (23, 59, 59, 999999):
        return _("end of %(day)s (UTC)") % {"day": date_of(at)}
    clock = format_time(at.time(), "HH:mm", locale=current())
    return f"{date_of(at)} {clock} UTC"


def point_sentence(as_of: str, known_at: str, subject: str | None = None) -> str:
    """Say plainly which point in time a page shows (valid time, then transaction time)."""
    return _("%(subject)s as it stood at %(as_of)s, as recorded by %(known_at)s.") % {
        "subject": subject or _("The account"), "as_of": moment(as_of),
        "known_at": moment(known_at)}


def who(names: dict[str, str], stakeholder_id: str | None) -> str:
    """A stakeholder's name with the id, or the id alone when the name is unknown."""
    if stakeholder_id is None:
        return _("(no participants: account cost)")
    name = names.get(stakeholder_id)
    return f"{name} ({stakeholder_id})" if name and name != stakeholder_id else stakeholder_id


FLAG_MESSAGES = {
    "gift_over_limit": N_("This gift to %(who)s is %(amount)s %(currency)s, over the "
                          "%(limit)s %(currency)s limit per gift: pre-approval needed."),
    "hospitality_over_limit": N_("The share of %(who)s is %(amount)s %(currency)s, over the "
                                 "%(limit)s %(currency)s hospitality limit per person."),
    "annual_limit_exceeded": N_("%(who)s has now received %(amount)s %(currency)s this year, "
                                "over the %(limit)s %(currency)s annual limit per recipient."),
    "missing_approval": N_("The total of %(amount)s %(currency)s is over %(limit)s "
                           "%(currency)s: pre-approval needed (add an approval)."),
    "public_official_unapproved": N_("%(who)s is a public official: this needs an approval."),
    "late_entry": N_("Entered more than %(limit)s after it happened: a late entry."),
    "fx_rate_missing": N_("No exchange rate for this currency on that day: left out of the "
                          "totals."),
}


def flag_message(flag: dict[str, Any], names: dict[str, str] | None = None) -> str:
    """What a compliance flag means for the person who just recorded the engagement."""
    sid = flag.get("stakeholder_id")
    return _(FLAG_MESSAGES[flag["flag"]]) % {
        "who": who(names or {}, sid) if sid else _("the account"),
        "amount": money(flag.get("amount")), "limit": limit(flag.get("limit")),
        "currency": flag.get("currency", "")}


def filters() -> dict[str, Any]:
    """The functions above as template filters."""
    return {"role": role, "attitude": attitude, "signed": signed, "money": money,
            "score": score, "limit": limit, "coverage": coverage, "day": day, "moment": moment,
            "humanize": humanize, "stage": lambda c: label(STAGES, c),
            "flag_label": lambda c: label(FLAGS, c),
            "group_label": lambda c: label(GROUP_LABELS, c),
            "event_label": lambda c: label(EVENTS, c),
            "attitude_short": attitude_short,
            "flag_message": flag_message}

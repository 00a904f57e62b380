"""One-line descriptions of every field of the API's answers, from SPEC §4 and §5.

Like :mod:`ledger.contract.descriptions` for the events: a field name means one thing in
every answer that carries it, so it is described once; :data:`PER_MODEL` covers the
names that mean something else in one answer.
"""

from __future__ import annotations

from ledger.contract.descriptions import EVENT_FIELDS, describe_properties

_MONEY = "Decimal string in the base currency, e.g. \"215.00\" (SPEC §4.2)."

READ_FIELDS: dict[str, str] = {
    **EVENT_FIELDS,
    # the point of a read (SPEC §4.8)
    "as_of": "Valid time the answer is for: only events with occurred_at up to it count.",
    "known_at": "Transaction time the answer is for: only events recorded by then count.",
    # receipts and the raw log (SPEC §5.1, §7.2)
    "event_id": "The event's id (UUID), the idempotency key.",
    "type": "The event type, e.g. `engagement.recorded`.",
    "occurred_at": "When it happened in the world (valid time), RFC 3339.",
    "recorded_at": "When the ledger recorded it (transaction time), RFC 3339; set by the "
                   "server.",
    "recorded_by": "The principal (token name) that recorded it; set by the server.",
    "position": "Global position in the event log (the order of recording).",
    "stream_id": "The aggregate (stream) the event belongs to, a name-based UUID.",
    "version": "The event's version within its stream, from 1.",
    "hash": "Hash-chain value after this event (SPEC §7.2).",
    "replayed": "True when this receipt answers an idempotent resubmission: nothing was "
                "recorded.",
    "receipts": "One receipt per submitted event, in submission order.",
    "data": "The event's type-specific fields; personal fields read `[forgotten]` after an "
            "erasure.",
    "events": "The events of the page, in position order.",
    "next_after": "Pass as `after` for the next page; null on the last page.",
    # verify
    "ok": "True when the chain is intact (and matches `head`, when given).",
    "events_checked": "How many events the check recomputed.",
    "head_hash": "The chain hash of the newest event; keep it to catch truncation later.",
    "head_position": "Position of the newest event.",
    "problems": "Each edited, deleted, inserted or reordered event: position, event_id, "
                "problem.",
    # health
    "log_position": "Newest position of the event log.",
    "views_position": "Position the views have applied up to.",
    "lag": "How many positions the views are behind the log (0 while they follow it).",
    # accounts and people (SPEC §4.3, §4.4, §5.3)
    "name": "Name of the account, person or deal (`[forgotten]` after an erasure).",
    "score": "Relationship score, -33.3 to 100.0 (SPEC §4.3); null without stakeholders.",
    "decision_coverage": "Share (0–1) of approvers and decision makers with attitude at "
                         "least 2; null when there are none.",
    "org_stage": "Deepest organizational element evidenced in the last 365 days: none, "
                 "communication, matching, joint or recognition.",
    "total_spend": _MONEY.replace("Decimal", "Total spend: decimal"),
    "accounts": "The accounts, by account_id.",
    "stakeholders": "The account's registered, not departed stakeholders.",
    "ladder_level": "Deepest step of the intimacy ladder reached, 0–5 (SPEC §2.3).",
    "last_engagement_at": "occurred_at of the latest non-voided engagement; null if none.",
    "first_engagement_at": "occurred_at of the first non-voided engagement; null if none.",
    "stale": "A key person with no engagement in the 90 days up to as_of.",
    "initial_attitude": "The attitude at registration.",
    "departed": "The person has left the customer.",
    "engagement_count": "Number of non-voided engagements.",
    "spend_since_attitude_change": "Spend after the latest attitude change, " + _MONEY[0].lower()
                                   + _MONEY[1:],
    "cost_per_attitude_point": "total_spend / (attitude − initial_attitude) when that gain "
                               "is positive, else null.",
    # history
    "steps": "Every event that named the person, in occurred_at order (ties: position).",
    "change": "What the event changed, field by field.",
    # fishbone
    "groups": "Placed stakeholders per fishbone group.",
    # spend (SPEC §4.6)
    "group_by": "stakeholder, account, owner, kind, month or opportunity.",
    "currency": "The base currency of every amount in the answer.",
    "from": "Start of the occurred_at window (inclusive); null for no bound.",
    "to": "End of the occurred_at window (inclusive); null for no bound.",
    "total": "Sum over the whole answer, " + _MONEY[0].lower() + _MONEY[1:],
    "key": "The group's key (a stakeholder id, month …); null for unallocated cost.",
    "unconverted": "Engagements left out of the totals for lack of an exchange rate, with "
                   "their original money.",
    # flags (SPEC §4.7)
    "flags": "The flags, in occurred_at order.",
    "flag": "gift_over_limit, hospitality_over_limit, annual_limit_exceeded, "
            "missing_approval, public_official_unapproved, late_entry or fx_rate_missing.",
    "amount": "The flagged amount (a share or a total), " + _MONEY[0].lower() + _MONEY[1:],
    "limit": "The limit it broke, in the base currency (`N days` for late_entry).",
    "policy_event_id": "The policy.set event that set the limit.",
    "open": "Not resolved by a void or an approval.",
    "resolved_by": "The void or approval that resolved the flag, with when it was recorded.",
    "kind": "The engagement's kind.",
    "cost": "The engagement's original money (amount and currency).",
    # handover (SPEC §6)
    "tier": "`strategic` or `standard`.",
    "team": "The account's owner and members from the latest account.team_set.",
    "score_90_days_earlier": "The score 90 days before as_of.",
    "grid": "The power map as role × attitude: stakeholder ids per cell.",
    "coaches": "Stakeholders with attitude 3.",
    "opponents": "Stakeholders with attitude -1.",
    "stale_key_relationships": "Key people without an engagement in the last 90 days.",
    "weak_key_people": "Key people with attitude ≤ 0 and the remedies not used on them in "
                       "the last 365 days.",
    "remedies": "executive_visit, exhibition_invite and hq_visit not yet used.",
    "opportunities": "Open opportunities with their fishbone.",
    "spend_last_12_months": "Spend of the last 12 months by kind and by stakeholder (top "
                            "10).",
    "open_flags": "Open compliance flags of the account.",
    "trajectories": "Each key person's attitude over time: [{occurred_at, attitude}].",
    # paging and the access log (SPEC §5.2, §5.5)
    "next_cursor": "Pass as `cursor` for the next page; null on the last page.",
    "entries": "The access-log entries of the page, oldest first.",
    "id": "Sequence number of the access-log entry.",
    "at": "When the read happened (RFC 3339).",
    "token": "Name of the token that read.",
    "route": "The route that was read.",
    # problems (RFC 9457, SPEC §5.4)
    "title": "Short summary of the kind of problem.",
    "detail": "What exactly is wrong, in words.",
    "errors": "Field-level errors of a validation problem.",
    "loc": "Where the error is: `body`, `events`, an index, `data`, a field … .",
    "msg": "What is wrong there.",
}
"""What each field of the API's answers means, by field name."""

PER_MODEL: dict[tuple[str, str], str] = {
    ("Health", "status"): "ok while the views follow the log; degraded otherwise.",
    ("Health", "reason"): "Why the health is degraded (projector down, views behind by N, "
                          "views disk full); null when ok.",
    ("Problem", "type"): "A URI naming the kind of problem.",
    ("Problem", "status"): "The HTTP status code.",
    ("FishboneOut", "status"): "`open`, `won`, `lost` or `abandoned`.",
    ("PlacedOut", "proximity"): "1–3: 1 is closest to the axis (most influence).",
    ("SpendGroup", "total"): "The group's total, " + _MONEY[0].lower() + _MONEY[1:],
}
"""Where one answer gives a field name a meaning of its own."""

describe_read_fields = describe_properties(READ_FIELDS, PER_MODEL)
"""The hook of every response model in :mod:`api.schemas`."""

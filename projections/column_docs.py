"""What every column of the views file means (written to its ``view_columns`` table).

A column name means one thing in every table that has it (``position``, ``occurred_at``,
``account_id`` …), so it is described once in :data:`COLUMNS`; :data:`PER_TABLE` covers
the names a table gives a meaning of its own. A test checks that no column of a table or
SQL view is left without a description.
"""

from __future__ import annotations

_BASE_MINOR = ("integer minor units of the base currency (the base_currency view names it "
               "and its minor units; 2 for EUR: 21500 is 215.00)")

COLUMNS: dict[str, str] = {
    # the event that wrote a history row
    "position": "Log position of the event that wrote the row (the global recording order).",
    "event_id": "Id (UUID) of the event that wrote the row.",
    "event_type": "Type of that event, e.g. engagement.corrected.",
    "occurred_at": "Valid time: when it happened in the world (UTC, fixed-width text).",
    "recorded_at": "Transaction time: when the ledger recorded it (UTC, fixed-width text).",
    "recorded_by": "The token name (principal) that recorded it.",
    # identities
    "account_id": "The customer account (accounts.account_id).",
    "stakeholder_id": "The person inside the customer (stakeholders.stakeholder_id).",
    "opportunity_id": "The bid, contract or negotiation (opportunities.opportunity_id).",
    "engagement_id": "The engagement (engagements.engagement_id).",
    "name": "Name; a person's reads [forgotten] after an erasure.",
    "country": "Country of the account.",
    "tier": "strategic or standard.",
    "reason": "Why, as given (free text; [forgotten] after the person's erasure).",
    "registered_position": "Log position of the registration.",
    "registered_occurred_at": "Valid time of the registration.",
    "registered_recorded_at": "Transaction time of the registration.",
    # stakeholders
    "title": "Job title ([forgotten] after erasure).",
    "department": "Department inside the customer.",
    "public_official": "1: a public official (spend needs approval when the policy says so).",
    "birthday": "Date of birth, YYYY-MM-DD ([forgotten] after erasure).",
    "notes": "Free text ([forgotten] after the erasure of a person it is about).",
    "forgotten": "1: the person was erased (stakeholder.forgotten); personal fields are gone.",
    "role": "Power in the buying decision: approver, decision_maker, decision_supporter, "
            "evaluator or influencer (NULL: unchanged by this event).",
    "attitude": "-1 opposes, 0 neutral, 1 supports, 2 supports exclusively, 3 coach "
                "(NULL: unchanged by this event).",
    "layer": "key or general (NULL: unchanged by this event).",
    "rising_star": "1: a general contact likely to become key (NULL: unchanged).",
    "departed": "1: the person left the customer.",
    "observed_by": "Our employee who observed the attitude change.",
    # opportunities
    "value_amount": "Expected value of the deal, decimal text in value_currency.",
    "value_currency": "ISO 4217 currency of value_amount.",
    "opened_position": "Log position of opportunity.opened.",
    "opened_occurred_at": "Valid time of the opening.",
    "opened_recorded_at": "Transaction time of the opening.",
    "fishbone_group": "commercial_evaluation, technical_evaluation, selection_decision or "
                      "final_decision (a placement).",
    "proximity": "1–3, 1 closest to the axis (a placement).",
    "outcome": "won, lost or abandoned (a close).",
    # engagements
    "engagement_occurred_at": "Valid time of the engagement itself (a correction or void "
                              "applies from it).",
    "kind": "The engagement kind, e.g. dinner, gift, executive_visit, summit.",
    "owner": "Our employee accountable for the engagement.",
    "hosts": "Our employees who hosted it (JSON list).",
    "participants": "The customer's people who took part (JSON list of stakeholder ids).",
    "cost_amount": "The cost as recorded, decimal text in cost_currency (not converted).",
    "cost_currency": "ISO 4217 currency of cost_amount.",
    "allocation": "The explicit split of the cost, JSON {stakeholder_id: amount}; NULL: an "
                  "equal split.",
    "unallocated_amount": "Cost allocated to nobody (no participants), in cost_currency.",
    "approval_ref": "Reference of the approval.",
    "location": "Where it took place ([forgotten] after a participant's erasure).",
    "changes": "The corrected fields of this version, JSON (NULL: the recording).",
    "version_position": "Log position of the engagement version the share belongs to "
                        "(engagement_versions.position).",
    "share_amount": "The participant's share, decimal text in the cost's own currency.",
    "currency": "ISO 4217 currency code.",
    "approver": "Who approved.",
    "voided": "1: the engagement is voided (it never counts).",
    "participant_count": "Number of participants.",
    "ladder_level": "Deepest intimacy-ladder step, 0–5 (SPEC 2.3).",
    # policy and rates
    "base_currency": "The base currency every base amount of the row is in.",
    "gift_item_limit": "Largest base share of a gift per recipient (decimal text).",
    "hospitality_per_person_limit": "Largest base share per participant of other "
                                    "engagements (decimal text).",
    "annual_recipient_limit": "Largest base total per participant and calendar year.",
    "pre_approval_above": "Base total above which approval is needed.",
    "public_official_requires_approval": "1: spend on public officials needs approval.",
    "late_entry_days": "Days after which an entry counts as late.",
    "rate": "Base-currency units per one unit of currency (decimal text).",
    # the current tables
    "base_minor": "The amount in " + _BASE_MINOR + "; NULL: no rate in force.",
    "engagement_count": "Number of non-voided engagements.",
    "weighted_attitude": "Sum of role weight × attitude over current stakeholders (SPEC 4.3).",
    "role_weight": "Sum of role weights over current stakeholders (SPEC 4.3).",
    "deciders": "Approvers and decision makers (SPEC 4.3 coverage).",
    "deciders_won": "Of those, the ones with attitude at least 2.",
    "communication_at": "Latest occurred_at of a communication-element engagement (SPEC 4.5).",
    "matching_at": "Latest occurred_at of a matching-element engagement.",
    "joint_at": "Latest occurred_at of a joint-element engagement.",
    "recognition_at": "Latest occurred_at of a recognition-element engagement.",
    "initial_attitude": "The attitude at registration.",
    "last_attitude_change_at": "occurred_at of the latest attitude change.",
    "first_engagement_at": "occurred_at of the first non-voided engagement.",
    "last_engagement_at": "occurred_at of the latest non-voided engagement.",
    "spend_minor": "Total spend on the person in " + _BASE_MINOR + ".",
    # flags
    "seq": "Order of the flag among its engagement's flags (as the API lists them).",
    "flag": "gift_over_limit, hospitality_over_limit, annual_limit_exceeded, "
            "missing_approval, public_official_unapproved, late_entry or fx_rate_missing.",
    "amount": "The flagged amount (a share or a total), decimal text in base_currency.",
    "limit_value": "The limit broken: decimal text in base_currency, or 'N days' for "
                   "late_entry.",
    "policy_event_id": "Event id of the policy.set that set the limit (policies.event_id).",
    "open": "1: not resolved by a void or an approval.",
    "resolved_by_type": "engagement.voided or engagement.approved that resolved the flag.",
    "resolved_by_event_id": "Event id of that void or approval.",
    "resolved_occurred_at": "Valid time of that void or approval.",
    "resolved_recorded_at": "Transaction time of that void or approval (a late approval "
                            "shows here).",
    "flag_count": "How many flags of the row's account, kind and state the flags table "
                  "holds.",
    # a stakeholder's history steps
    "step": "Ordinal of the step in the person's history, 1 for the first.",
    "seen_occurred_at": "The latest valid time any step up to this one depends on (its "
                        "own, its engagement's, its opportunity's opening): a read as of "
                        "an earlier time sees fewer steps.",
    "seen_recorded_at": "The latest transaction time any step up to this one depends on: "
                        "a read known at an earlier time sees another history.",
    # housekeeping
    "table_name": "A table or SQL view of this file.",
    "column_name": "A column of that table or view.",
    "description": "What it holds.",
    "minor_units": "Decimal places of the currency's minor unit (EUR 2, JPY 0, KWD 3).",
    "value": "The value of the setting.",
}
"""What each column means, by column name."""

PER_TABLE: dict[tuple[str, str], str] = {
    ("account_teams", "owner"): "Our account manager: the employee id who owns the account.",
    ("account_teams", "members"): "The team's other employees: a JSON list of employee ids.",
    ("accounts", "name"): "The account's (company's) name.",
    ("opportunities", "name"): "The deal's name.",
    ("stakeholders", "name"): "The person's name ([forgotten] after erasure).",
    ("engagement_shares", "recorded_at"): "Transaction time of the version the share "
                                          "belongs to.",
    ("engagement_shares", "currency"): "ISO 4217 currency of share_amount (the cost's).",
    ("fx_rates", "currency"): "The currency the rate converts from.",
    ("current_engagements", "base_minor"): "The engagement's cost in " + _BASE_MINOR
                                           + "; NULL: no rate in force (fx_rate_missing).",
    ("current_engagements", "base_currency"): "The base currency base_minor is in.",
    ("current_shares", "base_minor"): "The participant's share in " + _BASE_MINOR + ".",
    ("current_accounts", "base_minor"): "The account's total spend in " + _BASE_MINOR + ".",
    ("current_accounts", "engagement_count"): "Non-voided engagements of the account.",
    ("current_stakeholders", "role"): "The current role.",
    ("current_stakeholders", "attitude"): "The current attitude, -1 to 3.",
    ("current_stakeholders", "layer"): "The current layer, key or general.",
    ("current_stakeholders", "rising_star"): "1: currently a rising star.",
    ("current_shares", "occurred_at"): "Valid time of the engagement.",
    ("current_engagements", "occurred_at"): "Valid time of the engagement.",
    ("flags", "occurred_at"): "Valid time of the flagged engagement.",
    ("flags", "recorded_at"): "Transaction time of the flagged engagement's recording.",
    ("flags", "kind"): "Kind of the flagged engagement.",
    ("flags", "cost_amount"): "The engagement's cost as recorded (corrections applied), in "
                              "cost_currency: the original money beside the base amount.",
    ("flags", "base_currency"): "The base currency of amount and limit_value.",
    ("flags", "stakeholder_id"): "The person the flag is about; NULL for a flag of the "
                                 "engagement as a whole.",
    ("history_steps", "position"): "Log position of the step's event (the key of its "
                                   "history row).",
    ("history_steps", "occurred_at"): "Valid time of the step's event.",
    ("history_steps", "engagement_id"): "The engagement of an engagement's step (NULL: a "
                                        "change of the person or a placement).",
    ("history_steps", "role"): "The person's role after the step.",
    ("history_steps", "attitude"): "The person's attitude after the step, -1 to 3.",
    ("history_steps", "ladder_level"): "Deepest intimacy-ladder step reached by then, 0–5.",
    ("history_steps", "spend_minor"): "Total spend on the person up to the step, in "
                                      + _BASE_MINOR + ".",
    ("account_horizons", "occurred_at"): "The latest valid time of the account's engagement "
                                         "events (an engagement's, or a correction's, void's "
                                         "or approval's own, whichever is later).",
    ("account_horizons", "recorded_at"): "The latest transaction time of those events.",
    ("flag_counts", "open"): "1: the flags counted are open; 0: resolved.",
    ("flag_counts", "year"): "Calendar year (YYYY) of the flagged engagements' occurred_at.",
    ("spend_totals", "base_minor"): "Total spend of every account in " + _BASE_MINOR + ".",
    ("spend_totals", "account_count"): "Accounts with at least one converted, non-voided "
                                       "engagement.",
    ("spend_groups", "group_by"): "The grouping: owner, kind, month or opportunity.",
    ("spend_groups", "last"): "1 for the group without a key (no opportunity), listed last; "
                              "0 otherwise.",
    ("spend_groups", "key"): "The group's key ('' for the group without one); a month is "
                             "YYYY-MM of the engagements' occurred_at (UTC).",
    ("spend_groups", "base_minor"): "The group's spend in " + _BASE_MINOR + ".",
    ("spend_groups", "engagement_count"): "Converted, non-voided engagements in the group.",
    ("view_state", "name"): "A housekeeping mark, e.g. flags_pending while a rebuild has "
                            "deferred the flags.",
    ("currencies", "currency"): "ISO 4217 currency code.",
}
"""Where a table gives a column name a meaning of its own."""


def column_doc(table: str, column: str) -> str | None:
    """The description of ``column`` in ``table``, or None when there is none."""
    return PER_TABLE.get((table, column)) or COLUMNS.get(column)

"""The views file read with plain SQL: the flags table, the money views, foreign keys, docs."""

from __future__ import annotations

from decimal import Decimal

import sqlite_utils
from hypothesis import given
from hypothesis import strategies as st

from projections.compliance import compliance_flags
from projections.engine import ViewDatabase
from projections.sql_views import decimal_sql
from tests.unit.projections.builder import at, money

LIMITS = {"gift_item_limit": "50.00", "hospitality_per_person_limit": "100.00",
          "pre_approval_above": "500.00"}


def rows(views: ViewDatabase, sql: str) -> list[tuple]:
    return [tuple(row) for row in views.db.execute(sql).fetchall()]


def table_flags(views: ViewDatabase) -> list[tuple]:
    """The flags table as (flag, engagement, stakeholder, amount, open, resolved by)."""
    return rows(views, "SELECT flag, engagement_id, stakeholder_id, amount, open, "
                       "resolved_by_type FROM flags ORDER BY occurred_at, engagement_id, seq")


def test_the_flags_table_follows_approvals_voids_and_late_policies(views, log):
    """Each batch leaves the flags table as the compliance rules say, with no API call."""
    log.policy("2025-01-01", **LIMITS)
    log.account("acme", "2025-01-01")
    log.stakeholder("al", "acme", "2025-01-01")
    log.stakeholder("bo", "acme", "2025-01-01")
    log.engagement("d1", "acme", "dinner", ["al", "bo"], "2025-02-01", cost=money("250.00"))
    log.engagement("s1", "acme", "summit", [], "2025-03-01", cost=money("900.00"))
    views.process(log.records)
    assert table_flags(views) == [
        ("hospitality_over_limit", "d1", "al", "125.00", 1, None),
        ("hospitality_over_limit", "d1", "bo", "125.00", 1, None),
        ("missing_approval", "s1", None, "900.00", 1, None)]

    log.add("engagement.approved", {"engagement_id": "s1", "approval_ref": "APR-1",
                                    "approver": "cfo"}, "2025-03-05")
    log.add("engagement.voided", {"engagement_id": "d1", "reason": "twice"}, "2025-03-06")
    views.process(log.records[views.position():])
    assert table_flags(views) == [
        ("hospitality_over_limit", "d1", "al", "125.00", 0, "engagement.voided"),
        ("hospitality_over_limit", "d1", "bo", "125.00", 0, "engagement.voided"),
        ("missing_approval", "s1", None, "900.00", 0, "engagement.approved")]

    # A stricter policy recorded later, effective from before the summit: every unit again.
    log.policy("2025-02-15", recorded="2025-04-01", pre_approval_above="100.00",
               hospitality_per_person_limit="50.00")
    log.engagement("d2", "acme", "dinner", ["al"], "2025-03-10", cost=money("80.00"))
    views.process(log.records[views.position():])
    assert [f[:2] for f in table_flags(views) if f[4]] == [("hospitality_over_limit", "d2")]


def test_the_flags_table_holds_what_the_api_answers_at_the_end_of_time(views, log):
    """Same flags, amounts, limits and resolutions as GET /v1/compliance/flags would give."""
    log.policy("2025-01-01", late_entry_days=10, **LIMITS)
    log.account("acme", "2025-01-01")
    log.stakeholder("al", "acme", "2025-01-01")
    log.stakeholder("po", "acme", "2025-01-01", public_official=True)
    log.engagement("g1", "acme", "gift", ["al", "po"], "2025-02-01", cost=money("200.00"))
    log.engagement("x1", "acme", "dinner", ["al"], "2025-02-02", recorded="2025-04-01",
                   cost=money("90.00", "SEK"))
    log.rate("SEK", "0.09", "2025-03-01")
    views.process(log.records)
    expected = [(f["flag"], f["engagement_id"], f["stakeholder_id"], f["amount"], f["limit"],
                 f["open"]) for f in compliance_flags(views.db, as_of=at("9999-12-31"),
                                                      known_at=at("9999-12-31"))["flags"]]
    assert len(expected) >= 5
    assert rows(views, "SELECT flag, engagement_id, stakeholder_id, amount, limit_value, open "
                       "FROM flags ORDER BY occurred_at, engagement_id, seq") == [
        (*f[:5], int(f[5])) for f in expected]
    assert rows(views, "SELECT cost_amount, cost_currency FROM open_flags "
                       "WHERE flag = 'fx_rate_missing'") == [("90.00", "SEK")]


def test_an_older_views_file_gains_every_flag_when_opened(tmp_path, log):
    """A views file written before the flags table existed gets it filled at once."""
    log.policy("2025-01-01", **LIMITS)
    log.account("acme", "2025-01-01")
    log.stakeholder("al", "acme", "2025-01-01")
    log.engagement("d1", "acme", "dinner", ["al"], "2025-02-01", cost=money("150.00"))
    views = ViewDatabase(tmp_path / "views.db")
    views.process(log.records)
    views.db.execute("DROP TABLE flags")
    views.close()
    reopened = ViewDatabase(tmp_path / "views.db")
    assert table_flags(reopened) == [("hospitality_over_limit", "d1", "al", "150.00", 1, None)]
    assert rows(reopened, "SELECT * FROM flag_counts") == [
        ("acme", "2025", "hospitality_over_limit", 1, 1)]
    reopened.close()


def test_the_money_views_show_decimal_text_with_the_currency_beside_names(views, log):
    """Spend per person and account, and an engagement's original money beside its base
    amount, as a person reads them: names, "125.00", "EUR"."""
    log.policy("2025-01-01")
    log.account("acme", "2025-01-01", name="Acme Telecom")
    log.stakeholder("al", "acme", "2025-01-01", name="Al Dente")
    log.stakeholder("bo", "acme", "2025-01-01", name="Bo Peep")
    log.rate("JPY", "0.0061", "2025-01-01")
    log.engagement("d1", "acme", "dinner", ["al", "bo"], "2025-02-01", cost=money("250.01"))
    log.engagement("d2", "acme", "dinner", ["al"], "2025-02-02", cost=money("3000", "JPY"))
    views.process(log.records)
    assert rows(views, "SELECT * FROM spend_by_stakeholder") == [
        ("al", "Al Dente", "acme", "Acme Telecom", 2, "143.31", "EUR"),
        ("bo", "Bo Peep", "acme", "Acme Telecom", 1, "125.00", "EUR")]
    assert rows(views, "SELECT * FROM spend_by_account") == [
        ("acme", "Acme Telecom", 2, "268.31", "EUR")]
    assert rows(views, "SELECT engagement_id, cost_amount, cost_currency, base_amount, "
                       "base_currency FROM engagement_costs") == [
        ("d1", "250.01", "EUR", "250.01", "EUR"), ("d2", "3000", "JPY", "18.30", "EUR")]


@given(minor=st.integers(-(10 ** 17), 10 ** 17), units=st.integers(0, 4))
def test_minor_units_render_as_exact_decimal_text_in_sql(minor, units):
    """The SQL rendering equals Decimal's, for any amount and any currency's minor units."""
    db = sqlite_utils.Database(memory=True)
    sql = decimal_sql(f"({minor})", str(units), str(10 ** units))
    assert db.execute(f"SELECT {sql}").fetchone()[0] == str(Decimal(minor).scaleb(-units))


def test_rows_that_refer_to_rows_declare_foreign_keys(views, log):
    """Shares point at versions, people and engagements; flags at engagements and people;
    and the keys hold in the data (foreign_key_check finds nothing)."""
    log.policy("2025-01-01", **LIMITS)
    log.account("acme", "2025-01-01")
    log.stakeholder("al", "acme", "2025-01-01")
    log.engagement("d1", "acme", "dinner", ["al"], "2025-02-01", cost=money("150.00"))
    views.process(log.records)
    keys = {(row[2], row[3], row[4]) for row in views.db.execute(
        "SELECT * FROM pragma_foreign_key_list('engagement_shares')")}
    assert keys == {("engagement_versions", "version_position", "position"),
                    ("stakeholders", "stakeholder_id", "stakeholder_id"),
                    ("engagements", "engagement_id", "engagement_id"),
                    ("accounts", "account_id", "account_id")}
    flags = {row[2] for row in views.db.execute("SELECT * FROM pragma_foreign_key_list('flags')")}
    assert flags == {"engagements", "accounts", "stakeholders"}
    assert views.db.execute("PRAGMA foreign_key_check").fetchall() == []


def test_every_column_of_every_table_and_view_is_documented(views):
    """view_tables describes each table and SQL view; view_columns each of their columns."""
    objects = {row[0] for row in views.db.execute(
        "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') "
        "AND name NOT LIKE 'sqlite_%' AND name != 'tracking'")}
    described = {row[0] for row in views.db.execute("SELECT table_name FROM view_tables")}
    assert objects == described
    columns = {(name, row[0]) for name in objects
               for row in views.db.execute(f"SELECT name FROM pragma_table_info('{name}')")}
    documented = dict(((row[0], row[1]), row[2]) for row in views.db.execute(
        "SELECT table_name, column_name, description FROM view_columns"))
    assert set(documented) == columns
    assert [key for key, text in documented.items() if not text] == []
    assert "base currency" in documented[("current_accounts", "base_minor")]


def test_a_bulk_rebuild_evaluates_the_flags_once_like_batch_by_batch(tmp_path, log) -> None:
    """The bulk path writes no flag per batch; it evaluates them all at its end, and the
    flags table then equals the one a follower keeps batch by batch."""
    log.policy("2025-01-01", **LIMITS)
    log.account("acme", "2025-01-01")
    log.stakeholder("al", "acme", "2025-01-01")
    log.engagement("d1", "acme", "dinner", ["al"], "2025-02-01", cost=money("150.00"))
    log.engagement("d2", "acme", "dinner", ["al"], "2025-02-02", cost=money("160.00"))
    rebuilt = ViewDatabase(tmp_path / "rebuilt.db")
    rebuilt.rebuild(iter(log.records), batch_size=2)
    steady = ViewDatabase(tmp_path / "steady.db")
    for record in log.records:
        steady.process([record])
    assert [f[1] for f in table_flags(rebuilt)] == ["d1", "d2"]
    assert table_flags(rebuilt) == table_flags(steady)
    rebuilt.close()
    steady.close()


def test_opening_a_current_views_file_writes_nothing(tmp_path) -> None:
    """The schema, SQL views and column docs are rewritten only when they changed, so a
    server or projector can open its views while their disk is full."""
    ViewDatabase(tmp_path / "views.db").close()
    again = ViewDatabase(tmp_path / "views.db")
    assert again.db.conn.total_changes == 0
    again.close()

"""Account teams and what a team token reaches (SPEC §3.2 account.team_set, §5.5)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ledger.config import Settings
from ledger.domain.application import LedgerApplication
from ledger.domain.reach import Reach
from ledger.domain.submission import Principal
from ledger.errors import InvalidEvent, NotAllowed, UnknownEntity
from tests.conftest import ADMIN, RECORDER
from tests.integration.helpers import account, dinner, person, team

LI_NA = Principal("li.na", "recorder", "team")


@pytest.fixture
def ledger(store_settings: Settings) -> Iterator[LedgerApplication]:
    app = LedgerApplication(store_settings)
    app.record_batch([account("ACME"), account("BETA"), person("ann", "ACME"),
                      person("bob", "BETA")], ADMIN)
    yield app
    app.close()


def test_a_team_token_reaches_the_accounts_whose_latest_team_names_it(
        ledger: LedgerApplication) -> None:
    """Owner or member of the latest team: reached; anyone else's account: not."""
    ledger.record_batch([team("ACME", "li.na"), team("BETA", "wu.lei", "li.na")], ADMIN)
    assert ledger.reach_of(LI_NA) == Reach(frozenset({"ACME", "BETA"}))
    ledger.record(team("BETA", "wu.lei", occurred_at="2026-02-01T10:00:00Z"), RECORDER)
    assert ledger.reach_of(LI_NA) == Reach(frozenset({"ACME"}))


def test_a_late_entered_older_team_does_not_replace_the_newer_one(
        ledger: LedgerApplication) -> None:
    """Latest means latest in valid time: an older team recorded afterwards changes nothing."""
    ledger.record(team("ACME", "wu.lei", occurred_at="2026-03-01T10:00:00Z"), ADMIN)
    ledger.record(team("ACME", "li.na", occurred_at="2026-02-01T10:00:00Z"), ADMIN)
    assert ledger.reach_of(LI_NA) == Reach(frozenset())
    assert ledger.reach_of(Principal("wu.lei", "auditor", "team")) == Reach(frozenset({"ACME"}))


def test_an_employee_on_no_team_reaches_nothing(ledger: LedgerApplication) -> None:
    """A team token of someone on no team reaches no account (not an error)."""
    assert ledger.reach_of(LI_NA) == Reach(frozenset())


def test_a_team_on_an_unknown_account_is_refused(ledger: LedgerApplication) -> None:
    """account.team_set needs a registered account, like every other account event."""
    with pytest.raises(UnknownEntity):
        ledger.record(team("NOPE", "li.na"), ADMIN)


def test_an_empty_owner_is_refused(ledger: LedgerApplication) -> None:
    """The owner is an employee id: never empty."""
    with pytest.raises(InvalidEvent) as caught:
        ledger.record(team("ACME", ""), ADMIN)
    assert caught.value.errors[0]["loc"] == ["data", "owner"]


def test_a_team_token_cannot_set_teams_or_register_accounts(ledger: LedgerApplication) -> None:
    """Only scope all may give access or create accounts."""
    ledger.record(team("ACME", "li.na"), ADMIN)
    for event in (team("ACME", "li.na", "wu.lei"), account("GAMMA")):
        with pytest.raises(NotAllowed):
            ledger.record(event, LI_NA, ledger.reach_of(LI_NA))


def test_a_team_token_names_other_accounts_as_if_they_did_not_exist(
        ledger: LedgerApplication) -> None:
    """An event naming another account, or one of its people, is refused as unknown."""
    ledger.record(team("ACME", "li.na"), ADMIN)
    reach = ledger.reach_of(LI_NA)
    ledger.record(dinner("E1", "ann", account_id="ACME"), LI_NA, reach)
    for event, loc in ((dinner("E2", "bob", account_id="BETA"), ["data", "account_id"]),
                       (dinner("E3", "bob", account_id="ACME"), ["data", "participants", 0]),
                       (person("cid", "BETA"), ["data", "account_id"])):
        with pytest.raises(UnknownEntity) as hidden:
            ledger.record(event, LI_NA, reach)
        assert hidden.value.errors[0]["loc"] == loc
        with pytest.raises(UnknownEntity) as unknown:
            ledger.record({**event, "data": {**event["data"], "account_id": "NOPE"}}
                          if loc[-1] == "account_id" else dinner("E3", "zed", account_id="ACME"),
                          ADMIN)
        assert str(hidden.value).replace("BETA", "NOPE").replace("bob", "zed") == str(
            unknown.value)


def test_tokens_of_a_store_from_before_scopes_gain_scope_all(store_settings: Settings) -> None:
    """A token table without the scope column gets it on opening; old tokens reach all."""
    from ledger.store.tokens import TokenStore, hash_token

    app = LedgerApplication(store_settings)
    try:
        table = "ledger_tokens"
        if store_settings.is_postgres:
            table = f'"{app.recorder.datastore.schema}".ledger_tokens'  # type: ignore[attr-defined]
        mark = "%s" if store_settings.is_postgres else "?"
        with app.recorder.datastore.transaction(commit=True) as cur:  # type: ignore[attr-defined]
            cur.execute(f"CREATE TABLE {table} (token_hash TEXT PRIMARY KEY, name TEXT NOT "
                        "NULL, role TEXT NOT NULL, created_at TEXT NOT NULL, revoked_at TEXT)")
            cur.execute(f"INSERT INTO {table} VALUES ({mark}, 'old', 'auditor', "
                        "'2026-01-01T00:00:00+00:00', NULL)", (hash_token("ldg_old"),))
        store = TokenStore(app)
        found = store.authenticate("ldg_old")
        assert found is not None and (found.name, found.role, found.scope) == (
            "old", "auditor", "all")
        TokenStore(app)  # opening again changes nothing
        assert [(t.name, t.scope) for t in store.list()] == [("old", "all")]
    finally:
        app.close()


def test_an_id_taken_on_another_account_cannot_be_registered_again(
        ledger: LedgerApplication) -> None:
    """Ids are global: registering one an out-of-reach account uses is a conflict, as for
    anyone, and records nothing."""
    from ledger.errors import AlreadyRegistered

    ledger.record(team("ACME", "li.na"), ADMIN)
    before = ledger.head_position()
    with pytest.raises(AlreadyRegistered):
        ledger.record(person("bob", "ACME"), LI_NA, ledger.reach_of(LI_NA))
    assert ledger.head_position() == before

"""Settings come from flags and LEDGER_* variables, and a bad one is named in one line."""

from __future__ import annotations

import pytest

from ledger.config import Settings
from ledger.errors import StorageConfigError


def test_variables_are_read_and_flags_win_over_them() -> None:
    """LEDGER_* variables set the fields; an explicit flag overrides its variable."""
    environ = {"LEDGER_DATABASE_URL": "sqlite:////srv/ledger.db", "LEDGER_PORT": "9000",
               "LEDGER_HOST": "0.0.0.0", "UNRELATED": "x"}
    settings = Settings.from_env(environ, port=8100)
    assert (settings.database_url, settings.host, settings.port) == (
        "sqlite:////srv/ledger.db", "0.0.0.0", 8100)


def test_an_empty_variable_means_its_default() -> None:
    """``LEDGER_VIEWS_PATH=`` leaves the views beside the event database."""
    settings = Settings.from_env({"LEDGER_VIEWS_PATH": "", "LEDGER_DATABASE_URL":
                                  "sqlite:////srv/ledger.db"})
    assert settings.views_path is None
    assert str(settings.resolved_views_path()) == "/srv/ledger.views.db"


@pytest.mark.parametrize(("environ", "named"), [
    ({"LEDGER_PORT": "eighty"}, "LEDGER_PORT='eighty' is not a TCP port"),
    ({"LEDGER_PORT": "70000"}, "LEDGER_PORT='70000' is not a TCP port"),
    ({"LEDGER_DATABASE_URL": "mysql://db/x"}, "LEDGER_DATABASE_URL="),
])
def test_a_bad_setting_is_one_line_that_names_it(environ: dict[str, str], named: str) -> None:
    """The error is a single line that starts with the variable's name."""
    with pytest.raises(StorageConfigError) as caught:
        Settings.from_env(environ)
    assert caught.value.detail.startswith(named) and "\n" not in caught.value.detail


def test_direct_construction_reads_no_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests build settings explicitly: the process environment does not leak in."""
    monkeypatch.setenv("LEDGER_PORT", "9999")
    assert Settings().port == 8000
    assert Settings.from_env().port == 9999


def test_the_printed_settings_hide_the_token_and_the_database_url() -> None:
    """repr() never shows the admin token or a database URL (it may carry a password)."""
    settings = Settings(database_url="postgresql://u:hunter2@db:5432/x",
                        admin_token="a-secret-admin-token-of-32-chars!")
    assert "hunter2" not in repr(settings) and "a-secret" not in repr(settings)

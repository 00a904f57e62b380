"""The ``ledger`` command as a user runs it: demo, import, verify, bad settings."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.integration.helpers import account, base_setup, dinner


def ledger(*args: str, db: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """Run ``ledger ARGS`` against the SQLite store ``db``."""
    environment = {**os.environ, "LEDGER_DATABASE_URL": f"sqlite:///{db}", "COLUMNS": "200",
                   **env}
    return subprocess.run([sys.executable, "-m", "cli.app", *args], env=environment,
                          capture_output=True, text=True, timeout=300)


def write_jsonl(path: Path, events: list[object], *, raw_lines: dict[int, str] | None = None
                ) -> Path:
    lines = [json.dumps(event) for event in events]
    for index, text in (raw_lines or {}).items():
        lines.insert(index, text)
    path.write_text("\n".join(lines) + "\n")
    return path


def test_demo_then_verify_prints_the_count_and_the_head(tmp_path: Path) -> None:
    """`ledger demo && ledger verify` loads the sample and reports an intact chain."""
    db = tmp_path / "ledger.db"
    loaded = ledger("demo", db=db)
    assert loaded.returncode == 0, loaded.stderr
    assert "engagement.recorded" in loaded.stdout
    checked = ledger("verify", db=db)
    assert checked.returncode == 0, checked.stderr
    count = int(checked.stdout.split("OK: ")[1].split()[0])
    assert count > 500
    head = checked.stdout.split("head ")[1].split()[0]
    assert len(head) == 64
    assert ledger("verify", "--head", head, db=db).returncode == 0
    again = ledger("demo", db=db)
    assert again.returncode == 1 and "already holds" in again.stderr
    assert ledger("demo", "--if-empty", db=db).returncode == 0


def test_import_records_every_line(tmp_path: Path) -> None:
    """A clean JSON Lines file is recorded in full."""
    db = tmp_path / "ledger.db"
    source = write_jsonl(tmp_path / "events.jsonl", [*base_setup(), dinner("d1", "ann")])
    result = ledger("import", str(source), db=db)
    assert result.returncode == 0, result.stderr
    assert "Imported 4 events" in result.stdout


def test_import_stops_at_a_bad_line_and_records_nothing_of_its_batch(tmp_path: Path) -> None:
    """The error names the line; the batch holding it is not recorded, earlier batches are."""
    db = tmp_path / "ledger.db"
    events = [*base_setup(), dinner("d1", "ann"), dinner("d2", "ghost"), dinner("d3", "bob")]
    source = write_jsonl(tmp_path / "events.jsonl", events)
    result = ledger("import", str(source), "--batch-size", "2", db=db)
    assert result.returncode == 1
    assert "line 5:" in result.stderr and "ghost" in result.stderr
    assert "4 events before it were" in result.stderr
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM stored_events").fetchone()[0] == 4


def test_import_names_a_line_that_is_not_json(tmp_path: Path) -> None:
    """Malformed JSON is reported with its line number."""
    db = tmp_path / "ledger.db"
    source = write_jsonl(tmp_path / "events.jsonl", [account()], raw_lines={1: "{oops"})
    result = ledger("import", str(source), db=db)
    assert result.returncode == 1 and "line 2: not valid JSON" in result.stderr
    nested = write_jsonl(tmp_path / "nested.jsonl", [account()],
                         raw_lines={1: "[" * 100_000 + "]" * 100_000})
    result = ledger("import", str(nested), db=db)
    assert result.returncode == 1 and "line 2: nested too deeply" in result.stderr
    assert "Traceback" not in result.stderr


def test_verify_exits_non_zero_on_tampering(tmp_path: Path) -> None:
    """An edited event makes `ledger verify` fail and name the position."""
    db = tmp_path / "ledger.db"
    ledger("import", str(write_jsonl(tmp_path / "e.jsonl", base_setup())), db=db)
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE stored_events SET state = CAST(replace(CAST(state AS TEXT), "
                     "'\"ann\"', '\"eve\"') AS BLOB) WHERE rowid = 2")
    result = ledger("verify", db=db)
    assert result.returncode == 1
    assert "position 2" in result.stderr and "edited" in result.stderr


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"LEDGER_DATABASE_URL": "mysql://localhost/ledger"}, "LEDGER_DATABASE_URL"),
        ({"LEDGER_DATABASE_URL": "sqlite:////no/such/dir/ledger.db"}, "LEDGER_DATABASE_URL"),
        ({"LEDGER_PORT": "eighty"}, "LEDGER_PORT"),
        ({"LEDGER_VIEWS_PATH": "/no/such/dir/views.db"}, "LEDGER_VIEWS_PATH"),
        ({"LEDGER_ADMIN_TOKEN": "x" * 31}, "LEDGER_ADMIN_TOKEN"),
        ({"LEDGER_DATABASE_URL": "mysql://ops:s3cr3t-pw@localhost/ledger"},
         "LEDGER_DATABASE_URL"),
        ({"LEDGER_DATABASE_URL": "postgresql://ops:s3cr3t-pw@127.0.0.1:1/ledger"},
         "LEDGER_DATABASE_URL"),
        ({"LEDGER_DATABASE_URL": "postgresql://ops:s3cr3t-pw@127.0.0.1:port/ledger"},
         "LEDGER_DATABASE_URL"),
    ],
)
def test_a_bad_setting_fails_with_one_line_naming_it(tmp_path: Path, env: dict[str, str],
                                                     named: str) -> None:
    """No traceback: one line on stderr that names the setting, exit status 2."""
    commands = [["serve"], ["rebuild"], ["handover", "ACME"]] if "LEDGER_VIEWS_PATH" in env \
        else [["verify"]]
    for command in commands:
        result = ledger(*command, db=tmp_path / "ledger.db", **env)
        assert result.returncode == 2, command
        assert named in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert "Traceback" not in result.stderr
        assert "s3cr3t" not in result.stderr + result.stdout


def test_token_create_prints_the_secret_once_and_list_never_shows_it(tmp_path: Path) -> None:
    """The token is the last word of its line; `token list` shows names and roles only."""
    db = tmp_path / "ledger.db"
    created = ledger("token", "create", "--role", "recorder", "--name", "crm-sync", db=db)
    assert created.returncode == 0, created.stderr
    token = created.stdout.strip().split()[-1]
    assert token.startswith("ldg_")
    listed = ledger("token", "list", db=db)
    assert "crm-sync" in listed.stdout and "recorder" in listed.stdout
    assert token not in listed.stdout
    assert ledger("token", "revoke", "crm-sync", db=db).returncode == 0
    assert "revoked" in ledger("token", "list", db=db).stdout
    assert ledger("token", "revoke", "crm-sync", db=db).returncode == 1
    bad = ledger("token", "create", "--role", "boss", "--name", "x", db=db)
    assert bad.returncode == 1 and "role must be one of" in bad.stderr


def test_team_tokens_show_their_scope_and_admins_cannot_have_one(tmp_path: Path) -> None:
    """`--scope team` makes a token for one employee; `token list` shows every scope; an
    admin of scope team and an unknown scope are refused."""
    db = tmp_path / "ledger.db"
    created = ledger("token", "create", "--role", "recorder", "--name", "li.na",
                     "--scope", "team", db=db)
    assert created.returncode == 0, created.stderr
    ledger("token", "create", "--role", "auditor", "--name", "audit", db=db)
    listed = {line.split()[0]: line for line in ledger("token", "list", db=db).stdout
              .splitlines()}
    assert "scope team" in listed["li.na"] and "scope all" in listed["audit"]
    admin = ledger("token", "create", "--role", "admin", "--name", "boss", "--scope", "team",
                   db=db)
    assert admin.returncode == 1 and "admin token always has scope 'all'" in admin.stderr
    odd = ledger("token", "create", "--role", "recorder", "--name", "x", "--scope", "world",
                 db=db)
    assert odd.returncode == 1 and "scope must be one of all, team" in odd.stderr


def test_subject_export_writes_the_person_and_the_access_log_names_it(tmp_path: Path) -> None:
    """`ledger subject-export ID -o FILE` writes the person's events and figures; the export
    itself shows up in `ledger access-log --stakeholder-id ID`."""
    db = tmp_path / "ledger.db"
    ledger("import", str(write_jsonl(tmp_path / "e.jsonl", base_setup())), db=db)
    out = tmp_path / "ann.json"
    result = ledger("subject-export", "ann", "-o", str(out), db=db)
    assert result.returncode == 0, result.stderr
    export = json.loads(out.read_text())
    assert export["figures"]["name"] == "Person ann"
    assert [e["type"] for e in export["events"]] == ["stakeholder.registered"]
    logged = ledger("access-log", "--stakeholder-id", "ann", "--json", db=db)
    rows = [json.loads(line) for line in logged.stdout.splitlines()]
    assert [(r["route"], r["stakeholder_id"]) for r in rows] == [("cli subject-export", "ann")]
    assert ledger("access-log", "--to", "2000-01-01", db=db).stdout == ""
    assert "cli subject-export" in ledger("access-log", "--from", "2000-01-01", db=db).stdout
    unknown = ledger("subject-export", "nobody", db=db)
    assert unknown.returncode == 1 and "no stakeholder 'nobody'" in unknown.stderr


def test_export_writes_the_log_as_json_lines(tmp_path: Path) -> None:
    """`ledger export` emits every event with its position and hash."""
    db = tmp_path / "ledger.db"
    ledger("import", str(write_jsonl(tmp_path / "e.jsonl", base_setup())), db=db)
    exported = ledger("export", db=db)
    events = [json.loads(line) for line in exported.stdout.splitlines()]
    assert [e["position"] for e in events] == [1, 2, 3]
    assert all(len(e["hash"]) == 64 for e in events)


def test_rebuild_reports_events_per_second(tmp_path: Path) -> None:
    """`ledger rebuild` rebuilds the views and ends with a rate line."""
    db = tmp_path / "ledger.db"
    ledger("import", str(write_jsonl(tmp_path / "e.jsonl", base_setup())), db=db)
    result = ledger("rebuild", db=db)
    assert result.returncode == 0, result.stderr
    assert "from 3 events" in result.stdout and "events/s" in result.stdout
    assert (tmp_path / "ledger.views.db").exists()


def test_handover_writes_the_markdown_brief_in_chinese(tmp_path: Path) -> None:
    """`--lang zh-CN` turns the Markdown brief's words into the practice's Chinese."""
    db = tmp_path / "ledger.db"
    source = write_jsonl(tmp_path / "events.jsonl", [*base_setup(), dinner("d1", "ann")])
    assert ledger("import", str(source), db=db).returncode == 0
    chinese = ledger("handover", "ACME", "--format", "md", "--lang", "zh-CN", db=db)
    assert chinese.returncode == 0, chinese.stderr
    assert chinese.stdout.startswith("# 交接简报: ") and "批准者" in chinese.stdout
    english = ledger("handover", "ACME", "--format", "md", db=db)
    assert english.stdout.startswith("# Handover brief: ") and "Approver" in english.stdout

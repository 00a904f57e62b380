"""``ledger views-copy``: a new node's views seeded from another node's, then followed."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.e2e.test_cli import ledger, write_jsonl
from tests.integration.helpers import account, base_setup, dinner


def dump(path: Path) -> list[str]:
    """A views file as sorted SQL text."""
    connection = sqlite3.connect(path)
    try:
        return sorted(connection.iterdump())
    finally:
        connection.close()


def test_a_copied_node_holds_the_same_views_as_the_node_it_copied(tmp_path: Path) -> None:
    """Node B copies node A's views (same store) and holds the same file, at A's position."""
    db = tmp_path / "ledger.db"
    events = write_jsonl(tmp_path / "first.jsonl", [*base_setup(), dinner("d1", "ann")])
    assert ledger("import", str(events), db=db).returncode == 0
    node_a, node_b = tmp_path / "a.views.db", tmp_path / "b.views.db"
    assert ledger("rebuild", db=db, LEDGER_VIEWS_PATH=str(node_a)).returncode == 0
    copied = ledger("views-copy", str(node_a), db=db, LEDGER_VIEWS_PATH=str(node_b))
    assert copied.returncode == 0, copied.stderr
    assert "copied views at position 4 of 4" in copied.stdout
    assert dump(node_b) == dump(node_a)


def test_views_of_another_log_are_refused_and_change_nothing(tmp_path: Path) -> None:
    """A views file built from a different event store is refused (exit 2, saying so),
    and the node's own views stay as they were; so is a file that is not views at all."""
    ours, theirs = tmp_path / "ours.db", tmp_path / "theirs.db"
    assert ledger("import", str(write_jsonl(tmp_path / "o.jsonl", base_setup())),
                  db=ours).returncode == 0
    assert ledger("import", str(write_jsonl(tmp_path / "t.jsonl", [account("OTHER")])),
                  db=theirs).returncode == 0
    own, foreign = tmp_path / "own.views.db", tmp_path / "foreign.views.db"
    assert ledger("rebuild", db=ours, LEDGER_VIEWS_PATH=str(own)).returncode == 0
    assert ledger("rebuild", db=theirs, LEDGER_VIEWS_PATH=str(foreign)).returncode == 0
    before = dump(own)
    refused = ledger("views-copy", str(foreign), db=ours, LEDGER_VIEWS_PATH=str(own))
    assert refused.returncode == 2 and "another event log" in refused.stderr
    assert dump(own) == before
    not_views = ledger("views-copy", str(ours), db=ours, LEDGER_VIEWS_PATH=str(own))
    assert not_views.returncode == 2 and "not a views file" in not_views.stderr
    assert dump(own) == before

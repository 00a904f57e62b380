"""`ledger import-expenses` as a user runs it, with the shipped example over `ledger demo`."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.test_cli import ledger

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
MAPPING = str(EXAMPLES / "expenses-mapping.toml")


def test_the_example_export_imports_once_over_the_demo(tmp_path: Path) -> None:
    """Dry run, real run, and a second run that records nothing new; bad lines stop a file."""
    db = tmp_path / "ledger.db"
    assert ledger("demo", db=db).returncode == 0
    source = str(EXAMPLES / "expenses.csv")
    dry = ledger("import-expenses", source, "--mapping", MAPPING, "--dry-run", db=db)
    assert dry.returncode == 0, dry.stderr
    assert "line 2: would record: dinner exp-R-2026-1107-1" in dry.stdout
    assert "line 3: skipped: expense type 'Taxi'" in dry.stdout
    assert "4 would record, 1 skipped; nothing was recorded" in dry.stdout
    done = ledger("import-expenses", source, "--mapping", MAPPING, db=db)
    assert done.returncode == 0, done.stderr
    assert "in one transaction: 4 recorded, 1 skipped" in done.stdout
    again = ledger("import-expenses", source, "--mapping", MAPPING, db=db)
    assert "4 already recorded, 1 skipped" in again.stdout
    bad = tmp_path / "bad.csv"
    lines = (EXAMPLES / "expenses.csv").read_text(encoding="utf-8").splitlines()
    bad.write_text("\n".join([
        lines[0],
        "R-9,1,2026-11-25,Business Meal,99.00,EUX,Anja Lorenz,Lunch,Max Weber,"
        "Nordlicht Telekom AG,Bonn",
        "R-9,2,2026-11-26,Business Meal,50.00,EUR,Zed Unknown,Coffee,Max Weber,"
        "Nordlicht Telekom AG,Bonn",
        "R-9,3,2026-11-27,Business Meal,60.00,EUR,Anja Lorenz,Coffee,Max Weber,"
        "Nordlicht Telekom AG,Bonn"]) + "\n", encoding="utf-8")
    refused = ledger("import-expenses", str(bad), "--mapping", MAPPING, db=db)
    assert refused.returncode == 1
    assert "line 2: refused" in refused.stderr and "EUX" in refused.stderr
    assert "line 3: refused: unknown attendee 'Zed Unknown'" in refused.stderr
    assert "nothing was recorded" in refused.stderr
    head = ledger("verify", db=db).stdout
    assert ledger("import-expenses", str(bad), "--mapping", MAPPING, db=db).returncode == 1
    assert ledger("verify", db=db).stdout == head


def test_a_bad_mapping_fails_with_one_line(tmp_path: Path) -> None:
    """A typo in the mapping: exit 2 and a message naming it, no traceback."""
    mapping = tmp_path / "m.toml"
    mapping.write_text('[colums]\nreport_id = "x"\n', encoding="utf-8")
    result = ledger("import-expenses", str(EXAMPLES / "expenses.csv"), "--mapping",
                    str(mapping), db=tmp_path / "ledger.db")
    assert result.returncode == 2 and "unknown key 'colums'" in result.stderr
    assert "Traceback" not in result.stderr

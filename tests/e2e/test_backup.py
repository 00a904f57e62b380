"""``ledger backup``: a consistent copy of a live store that proves itself with its head."""

from __future__ import annotations

import os
import subprocess
import threading
import uuid
from pathlib import Path

import psycopg

from ledger.config import Settings
from ledger.domain.application import LedgerApplication
from tests.conftest import POSTGRES_URL, RECORDER
from tests.e2e.test_cli import ledger
from tests.integration.helpers import account

BATCH = 5


def head_of(output: str) -> str:
    """The hash on the ``head HASH at position N`` line."""
    return next(line.split()[1] for line in output.splitlines() if line.startswith("head "))


def test_a_backup_taken_while_batches_arrive_is_whole_and_verifies(tmp_path: Path) -> None:
    """The copy holds whole batches only, and verify --head with the printed head passes."""
    db = tmp_path / "ledger.db"
    app = LedgerApplication(Settings(database_url=f"sqlite:///{db}"))
    stop = threading.Event()

    def write() -> None:
        n = 0
        while not stop.is_set() and n < 400:
            app.record_batch([account(f"A{n}-{i}") for i in range(BATCH)], RECORDER)
            n += 1

    writer = threading.Thread(target=write)
    writer.start()
    try:
        while app.head_position() < 10 * BATCH:
            pass
        result = ledger("backup", str(tmp_path / "copy.db"), db=db)
    finally:
        stop.set()
        writer.join()
        app.close()
    assert result.returncode == 0, result.stderr
    head = head_of(result.stdout)
    copy = LedgerApplication(Settings(database_url=f"sqlite:///{tmp_path / 'copy.db'}"))
    try:
        copied = copy.head_position()
        assert copied % BATCH == 0 and copied >= 10 * BATCH
        assert len({r.event_id for r in copy.iter_records()}) == copied
    finally:
        copy.close()
    verified = ledger("verify", "--head", head, db=tmp_path / "copy.db")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert f"OK: {copied} events checked" in verified.stdout


def test_a_backup_never_overwrites_a_file(tmp_path: Path) -> None:
    """An existing target is refused with one line, and left as it was."""
    target = tmp_path / "copy.db"
    target.write_text("keep me")
    result = ledger("backup", str(target), db=tmp_path / "ledger.db")
    assert result.returncode == 1 and "exists" in result.stderr
    assert target.read_text() == "keep me"


def test_on_postgres_the_printed_pg_dump_path_restores_a_copy_that_verifies(
        postgres_schema: str, tmp_path: Path) -> None:
    """backup explains pg_dump/pg_restore and prints the head; following it gives a copy
    that verify --head accepts."""
    url = f"{POSTGRES_URL}?schema={postgres_schema}"
    app = LedgerApplication(Settings(database_url=url))
    app.record_batch([account(f"A{i}") for i in range(20)], RECORDER)
    app.close()
    told = ledger("backup", str(tmp_path / "x.db"), db=tmp_path / "unused.db",
                  LEDGER_DATABASE_URL=url)
    assert told.returncode == 2 and "pg_dump" in told.stdout and "pg_restore" in told.stdout
    assert not (tmp_path / "x.db").exists()
    head = head_of(told.stdout)
    database = f"restore_{uuid.uuid4().hex[:10]}"
    dump = tmp_path / "ledger.dump"
    base = POSTGRES_URL.rsplit("/", 1)[0]
    env = {**os.environ, "PGCONNECT_TIMEOUT": "5"}
    subprocess.run(["pg_dump", "--format=custom", f"--file={dump}",
                    f"--schema={postgres_schema}", POSTGRES_URL], check=True, env=env)
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{database}"')
    try:
        subprocess.run(["pg_restore", f"--dbname={base}/{database}", str(dump)], check=True,
                       env=env)
        verified = ledger("verify", "--head", head, db=tmp_path / "unused.db",
                          LEDGER_DATABASE_URL=f"{base}/{database}?schema={postgres_schema}")
        assert verified.returncode == 0, verified.stdout + verified.stderr
        assert "OK: 20 events checked" in verified.stdout
    finally:
        with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE "{database}" WITH (FORCE)')

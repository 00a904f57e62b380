"""SQLite's process-wide settings, each checked in a fresh interpreter (the setting is the
whole process's, and this one has connections open)."""

from __future__ import annotations

import json
import subprocess
import sys

_PROBE = """
import ctypes, json, sqlite3, sys, _sqlite3
from ledger.store.sqlite_library import without_memory_statistics
done = without_memory_statistics() if sys.argv[1] == "off" else None
connection = sqlite3.connect(":memory:")
connection.execute("CREATE TABLE t (a TEXT PRIMARY KEY)")
connection.executemany("INSERT INTO t VALUES (?)", [(str(n),) for n in range(1000)])
used = ctypes.CDLL(_sqlite3.__file__).sqlite3_memory_used
used.restype = ctypes.c_int64
print(json.dumps({"done": done, "rows": connection.execute("SELECT COUNT(*) FROM t").fetchone()[0],
                  "counted": used()}))
"""


def _probe(mode: str) -> dict[str, object]:
    done = subprocess.run([sys.executable, "-c", _PROBE, mode], capture_output=True,
                          text=True, check=True, timeout=60)
    return dict(json.loads(done.stdout))


def test_sqlite_counts_its_memory_by_default() -> None:
    assert int(str(_probe("default")["counted"])) > 0


def test_memory_statistics_turned_off_stop_counting_and_connections_work_as_before() -> None:
    report = _probe("off")
    assert report == {"done": True, "rows": 1000, "counted": 0}

"""``ledger bench``: every figure is measured and positive (no timing assertions)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bench import run_bench, run_scale

FIGURE_SUFFIXES = ("_per_s", "_ratio", "_ms", "_mb", "_us")
HEADLINE = ("baseline_es_events_per_s", "ingest_events_per_s", "ingest_ratio",
            "baseline_replay_events_per_s", "rebuild_events_per_s", "rebuild_peak_rss_mb",
            "rebuild_ratio", "rebuild_read_us", "rebuild_sql_us", "rebuild_fold_us",
            "rebuild_insert_us", "rebuild_derive_us", "rebuild_index_us", "rebuild_install_us",
            "floor_raw_read_us", "floor_insert_us",
            "http_batch_events_per_s", "http_single_events_per_s", "http_batch_ratio")
READS = ("accounts", "power_map", "handover", "stakeholder", "history", "fishbone", "spend",
         "spend_month", "flags", "audit", "verify")


@pytest.fixture(scope="module")
def bench(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One 2,000-event run on SQLite, shared by the checks below."""
    where = tmp_path_factory.mktemp("bench")
    return run_bench(2000, f"sqlite:///{where}/ledger.db", repeats=5, singles=20)


def figures(result: dict[str, Any]) -> dict[str, float]:
    """The measured numbers of a result."""
    return {k: v for k, v in result.items() if k.endswith(FIGURE_SUFFIXES)}


def test_bench_measures_every_headline_figure_on_a_healthy_store(bench: dict[str, Any]) -> None:
    """On a working SQLite store nothing is left unmeasured: every headline figure is there
    (``not_measured`` is for a part that failed, and then the bench is broken)."""
    assert not bench.get("not_measured"), bench.get("not_measured")
    for key in HEADLINE:
        assert key in bench, key


def test_write_side_and_library_figures_are_always_measured(bench: dict[str, Any]) -> None:
    """The figures that need only the write side and the library never go missing."""
    for key in ("baseline_es_events_per_s", "ingest_events_per_s", "ingest_ratio",
                "baseline_replay_events_per_s"):
        assert key in bench


def test_every_measured_figure_is_positive(bench: dict[str, Any]) -> None:
    """Rates, ratios, latencies and memory are all greater than zero."""
    measured = figures(bench)
    assert len(measured) >= 4
    assert all(isinstance(v, float | int) and v > 0 for v in measured.values()), measured


def test_reads_have_p50_and_p95_in_process_and_over_http(bench: dict[str, Any]) -> None:
    """Every SPEC §5.2 read has both percentiles and the size of its answer, in-process
    and over HTTP (or a reason)."""
    for prefix in ("read_", "http_read_"):
        for name in READS:
            assert bench[f"{prefix}{name}_p95_ms"] >= bench[f"{prefix}{name}_p50_ms"] > 0
            assert bench[f"{prefix}{name}_answer_kb"] > 0


def test_the_result_is_one_json_object(bench: dict[str, Any]) -> None:
    """The result serialises as the JSON object ``ledger bench --json`` prints."""
    assert json.loads(json.dumps(bench)) == bench


def test_scale_mode_reports_growth_against_the_smallest_size(tmp_path: Path) -> None:
    """Scale mode runs each size and relates each p95 and the rebuild memory to the smallest."""
    result = run_scale([800, 1600], f"sqlite:///{tmp_path}/ledger.db", repeats=3, http=False)
    assert [run["events"] for run in result["runs"]] == [800, 1600]
    for run in result["runs"]:
        assert all(v > 0 for v in figures(run).values())
        assert 0 < run["rebuild_ratio"] == (run["rebuild_events_per_s"]
                                            / run["baseline_replay_events_per_s"])
    for growth in result["growth_vs_smallest"].values():
        assert growth["800"] == 1.0 and growth["1600"] > 0


def test_the_cli_prints_the_bench_as_json(tmp_path: Path) -> None:
    """`ledger bench --events 2000 --json` prints one JSON object with the figures."""
    env = {**os.environ, "LEDGER_DATABASE_URL": f"sqlite:///{tmp_path}/ledger.db"}
    done = subprocess.run([sys.executable, "-m", "cli.app", "bench", "--events", "2000",
                           "--json"], env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["ingest_events_per_s"] > 0
    assert all(v > 0 for v in figures(result).values())


def test_reads_that_show_personal_fields_are_timed_with_and_without_the_access_log(
        bench: dict[str, Any]) -> None:
    """Each logged read has its p95 alone and with its access-log row, and the overhead."""
    from bench.reads import LOGGED

    for name in LOGGED:
        if f"read_{name}" in bench.get("not_measured", {}):
            continue
        assert bench[f"read_{name}_unlogged_p95_ms"] > 0
        assert bench[f"read_{name}_logged_p95_ms"] > 0
        assert f"access_log_overhead_{name}" in bench
        if f"http_read_{name}" not in bench.get("not_measured", {}):
            assert bench[f"http_read_{name}_unlogged_p95_ms"] > 0
            assert f"http_access_log_overhead_{name}" in bench
    assert "access_log_overhead_max" in bench

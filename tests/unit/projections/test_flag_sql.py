"""The flags a bulk build derives with SQL are the evaluator's, row for row (SPEC §4.7)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings

from projections.engine import ViewDatabase
from tests.unit.projections.builder import Log
from tests.unit.projections.strategies import event_logs


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(log=event_logs(every_type=True, limits=True, max_steps=40))
def test_a_bulk_build_derives_the_flags_the_evaluator_raises(log: Log) -> None:
    """Over logs under policies with every limit (later policies, late entries, public
    officials, corrections, voids, approvals, erasures and missing rates included): the
    flags table of a bulk build, derived in SQL from the current tables, equals the one
    following the log writes with the evaluator, row for row."""
    with tempfile.TemporaryDirectory() as directory:
        rebuilt = ViewDatabase(Path(directory) / "rebuilt.db")
        rebuilt.rebuild(iter(log.records), batch_size=7)
        followed = ViewDatabase(Path(directory) / "followed.db")
        followed.process(log.records)
        query = "SELECT * FROM flags ORDER BY engagement_id, seq"
        assert rebuilt.db.execute(query).fetchall() == followed.db.execute(query).fetchall()
        rebuilt.close()
        followed.close()

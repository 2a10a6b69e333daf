"""A table's figures from its metadata."""

from __future__ import annotations

from datetime import UTC, datetime

from spotify_etl_lake.maintain import LAST_MAINTENANCE_PROPERTY
from spotify_etl_lake.stats import stats_of


def test_figures_come_from_the_current_summary_and_the_maintenance_property() -> None:
    stats = stats_of(
        4,
        {"total-data-files": "3", "total-files-size": "3000"},
        1_796_000_000_000,
        {LAST_MAINTENANCE_PROPERTY: "2026-12-01T03:00:00+00:00"},
    )
    assert (stats.snapshots, stats.data_files, stats.data_bytes, stats.average_file_bytes) == (
        4,
        3,
        3000,
        1000,
    )
    assert stats.last_maintenance == datetime(2026, 12, 1, 3, tzinfo=UTC)
    assert stats.last_commit_at == datetime.fromtimestamp(1_796_000_000, tz=UTC)


def test_an_empty_never_maintained_table() -> None:
    stats = stats_of(0, {}, None, {LAST_MAINTENANCE_PROPERTY: "not a time"})
    assert (stats.data_files, stats.average_file_bytes, stats.last_maintenance) == (0, None, None)
    assert stats.last_commit_at is None

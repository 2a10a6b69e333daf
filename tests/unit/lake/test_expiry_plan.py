"""Which snapshots expire."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from spotify_etl_lake.expiry import SnapshotInfo, snapshots_to_expire

NOW = datetime(2026, 12, 10, tzinfo=UTC)
DAY_MS = 86_400_000


def snapshot(snapshot_id: int, days_ago: float) -> SnapshotInfo:
    return SnapshotInfo(snapshot_id, int(NOW.timestamp() * 1000 - days_ago * DAY_MS))


SNAPSHOTS = [snapshot(i, days_ago=20 - i) for i in range(20)]  # id 19 is the newest (1 day)


def test_snapshots_older_than_the_retention_expire_oldest_first() -> None:
    expired = snapshots_to_expire(SNAPSHOTS, {19}, NOW, timedelta(days=7), keep_last=5)
    assert expired == tuple(range(13))  # 13 is 7 days old: not older than the retention


def test_the_newest_few_and_protected_heads_stay_however_old() -> None:
    old = [snapshot(i, days_ago=100 + i) for i in range(10)]
    assert snapshots_to_expire(old, set(), NOW, timedelta(days=7), keep_last=3) == (
        9,
        8,
        7,
        6,
        5,
        4,
        3,
    )
    assert 5 not in snapshots_to_expire(old, {5}, NOW, timedelta(days=7), keep_last=3)


def test_a_zero_retention_keeps_only_the_newest_kept_ones() -> None:
    assert snapshots_to_expire(SNAPSHOTS, set(), NOW, timedelta(0), keep_last=1) == tuple(range(19))


def test_at_least_one_snapshot_is_kept() -> None:
    with pytest.raises(ValueError, match="keep at least"):
        snapshots_to_expire(SNAPSHOTS, set(), NOW, timedelta(0), keep_last=0)

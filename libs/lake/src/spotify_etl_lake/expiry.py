"""Expiring old snapshots: which ones (pure), then pyiceberg's ``expire_snapshots``.

A snapshot expires when it is older than the retention and is neither one of
the newest few nor the head of a branch or tag. Expiring only removes snapshots
from the table's metadata; the files only they referenced become unreferenced
and :mod:`spotify_etl_lake.orphans` deletes them once old enough.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from pyiceberg.table import Table

DEFAULT_RETENTION: Final = timedelta(days=7)
"""How long a snapshot stays readable by time travel (and a replay can be undone by hand)."""
DEFAULT_KEEP_LAST: Final = 5
"""Snapshots always kept, however old: the newest few."""


@dataclass(frozen=True, slots=True)
class SnapshotInfo:
    """What choosing needs of one snapshot."""

    snapshot_id: int
    timestamp_ms: int


def snapshots_to_expire(
    snapshots: Sequence[SnapshotInfo],
    protected: Collection[int],
    now: datetime,
    retention: timedelta,
    keep_last: int,
) -> tuple[int, ...]:
    """Ids of the snapshots older than ``now - retention``, except the newest ``keep_last``
    and the ``protected`` ones (branch and tag heads), oldest first (pure)."""
    if keep_last < 1:
        raise ValueError(f"keep at least the newest snapshot, got keep_last={keep_last}")
    newest = sorted(snapshots, key=lambda s: (s.timestamp_ms, s.snapshot_id), reverse=True)
    kept = {s.snapshot_id for s in newest[:keep_last]} | set(protected)
    cutoff_ms = int((now - retention).timestamp() * 1000)
    old = (s for s in reversed(newest) if s.timestamp_ms < cutoff_ms)
    return tuple(s.snapshot_id for s in old if s.snapshot_id not in kept)


def snapshot_infos(table: Table) -> list[SnapshotInfo]:
    """The table's snapshots."""
    return [SnapshotInfo(s.snapshot_id, s.timestamp_ms) for s in table.metadata.snapshots]


def protected_snapshots(table: Table) -> set[int]:
    """Heads of the table's branches and tags (pyiceberg never expires them either)."""
    return {ref.snapshot_id for ref in table.metadata.refs.values()}


def expire(table: Table, snapshot_ids: Sequence[int]) -> None:
    """Remove ``snapshot_ids`` from the table's metadata in one commit."""
    if snapshot_ids:
        table.maintenance.expire_snapshots().by_ids(list(snapshot_ids)).commit()

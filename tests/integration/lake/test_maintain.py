"""Maintenance on moto: compaction per partition, replays after it, conflicts, expiry, orphans."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pyiceberg.table import Table
from spotify_etl_lake.compaction import compact, data_files
from spotify_etl_lake.maintain import (
    LAST_MAINTENANCE_PROPERTY,
    MaintenanceOptions,
    TableMaintenance,
    maintain_table,
)
from spotify_etl_lake.orphans import referenced_files
from spotify_etl_lake.storage import ObjectStore, normal_uri

from tests.conftest import LocalAws
from tests.lake_tables import TestLake, parquet

pytestmark = pytest.mark.integration

NOV = datetime(2026, 11, 20, 8, tzinfo=UTC)
DEC = datetime(2026, 12, 3, 8, tzinfo=UTC)
TARGET = 128 * 1024 * 1024
RIGHT_AWAY = MaintenanceOptions(retention=timedelta(0), keep_last=1, orphan_age=timedelta(0))


@pytest.fixture
def lake(aws_env: LocalAws) -> TestLake:
    return TestLake.fresh(aws_env)


def rows(source_key: str, at: datetime, tracks: list[str]) -> list[dict[str, Any]]:
    return [
        {
            "played_at": at - timedelta(minutes=i),
            "track_id": t,
            "origin": "recently_played",
            "source_key": source_key,
            "extracted_at": at,
        }
        for i, t in enumerate(tracks)
    ]


def land(lake: TestLake, source_key: str, at: datetime, tracks: list[str]) -> str:
    """The transformer's file of one raw object, committed as the cataloger commits it."""
    body = parquet("plays", rows(source_key, at, tracks))
    digest = hashlib.sha256(source_key.encode()).hexdigest()[:16]
    content = hashlib.sha256(body).hexdigest()[:16]
    uri = lake.put(f"curated/plays/dt={at.date()}/{digest}-{content}.parquet", body)
    lake.commit("plays", [uri], [source_key])
    return uri


def plays(table: Table) -> list[tuple[str, str]]:
    scanned = table.refresh().scan(selected_fields=("source_key", "track_id")).to_arrow()
    return sorted(
        zip(scanned["source_key"].to_pylist(), scanned["track_id"].to_pylist(), strict=True)
    )


def maintain(
    lake: TestLake, options: MaintenanceOptions, now: datetime | None = None
) -> TableMaintenance:
    clock = (lambda: now) if now else (lambda: datetime.now(UTC))
    return maintain_table(
        lake.catalog(), lake.lake.identifier("plays"), ObjectStore(lake.endpoints), options, clock
    )


def partitions(table: Table) -> dict[object, int]:
    counts: dict[object, int] = {}
    for f in data_files(table.refresh()):
        counts[f.partition] = counts.get(f.partition, 0) + 1
    return counts


def test_compaction_leaves_one_file_per_partition_with_the_same_rows(lake: TestLake) -> None:
    for n in range(3):
        land(lake, f"raw/nov-{n}", NOV + timedelta(hours=n), [f"N{n}a", f"N{n}b"])
        land(lake, f"raw/dec-{n}", DEC + timedelta(hours=n), [f"D{n}"])  # the current month
    table = lake.table("plays")
    before = plays(table)
    result = maintain(lake, MaintenanceOptions())
    assert (result.files_before, result.files_after, result.partitions_rewritten) == (6, 2, 2)
    assert sorted(partitions(table).values()) == [1, 1]
    assert plays(table) == before
    assert table.refresh().properties[LAST_MAINTENANCE_PROPERTY]


def test_a_compact_partition_is_not_rewritten_again(lake: TestLake) -> None:
    alone = land(lake, "raw/oct", NOV - timedelta(days=30), ["O"])
    for n in range(2):
        land(lake, f"raw/nov-{n}", NOV + timedelta(hours=n), [f"N{n}"])
    assert maintain(lake, MaintenanceOptions()).partitions_rewritten == 1
    compacted = {f.path for f in data_files(lake.table("plays"))}
    assert alone in compacted  # the single-file partition kept its file
    again = maintain(lake, MaintenanceOptions())
    assert (again.partitions_rewritten, again.files_before, again.files_after) == (0, 2, 2)
    assert {f.path for f in data_files(lake.table("plays"))} == compacted


def test_a_replay_after_compaction_replaces_exactly_its_rows(lake: TestLake) -> None:
    for n in range(3):
        land(lake, f"raw/dec-{n}", DEC + timedelta(hours=n), [f"D{n}a", f"D{n}b"])
    maintain(lake, MaintenanceOptions())
    [compacted] = data_files(lake.table("plays"))
    land(lake, "raw/dec-1", DEC + timedelta(hours=1), ["D1-new"])  # a replay, other bytes
    assert plays(lake.table("plays")) == [
        ("raw/dec-0", "D0a"),
        ("raw/dec-0", "D0b"),
        ("raw/dec-1", "D1-new"),
        ("raw/dec-2", "D2a"),
        ("raw/dec-2", "D2b"),
    ]
    assert compacted.path not in {f.path for f in data_files(lake.table("plays"))}  # rewritten


def test_a_commit_that_lands_first_makes_compaction_plan_again_on_the_new_state(
    lake: TestLake,
) -> None:
    for n in range(2):
        land(lake, f"raw/dec-{n}", DEC + timedelta(hours=n), [f"D{n}"])
    catalog = lake.catalog()
    loads = 0

    def load() -> Table:
        """The table, then (once) a cataloger commit before compaction commits on it."""
        nonlocal loads
        loads += 1
        table = catalog.load_table(lake.lake.identifier("plays"))
        if loads == 1:
            land(lake, "raw/dec-late", DEC + timedelta(hours=5), ["late"])
        return table

    result = compact(load, TARGET)
    assert (result.partitions, result.conflicts) == (1, 1)
    table = lake.table("plays")
    assert partitions(table) == {(None, (2026 - 1970) * 12 + 11): 1}  # (user_id, month)
    assert [t for _, t in plays(table)] == ["D0", "D1", "late"]


def test_expired_snapshots_and_their_files_go_and_every_file_left_is_referenced(
    lake: TestLake,
) -> None:
    for n in range(3):
        land(lake, f"raw/dec-{n}", DEC + timedelta(hours=n), [f"D{n}"])
    land(lake, "raw/dec-0", DEC, ["D0-replayed"])
    result = maintain(lake, RIGHT_AWAY)
    table = lake.table("plays")
    assert len(table.metadata.snapshots) == 1
    assert result.snapshots_expired >= 4
    assert result.orphans_deleted > 0
    stored = {f.uri for f in ObjectStore(lake.endpoints).files(table.location())}
    assert stored == referenced_files(table)
    assert [t for _, t in plays(table)] == ["D0-replayed", "D1", "D2"]


def test_an_unreferenced_file_is_kept_until_older_than_the_margin(lake: TestLake) -> None:
    land(lake, "raw/dec-0", DEC, ["D0"])
    waiting = lake.put("curated/plays/dt=2026-12-03/awaiting-commit.parquet", b"PAR1")
    options = MaintenanceOptions(orphan_age=timedelta(days=15))
    maintain(lake, options)
    store = ObjectStore(lake.endpoints)
    assert waiting in {f.uri for f in store.files(lake.lake.location("plays"))}
    later = maintain(lake, options, now=datetime.now(UTC) + timedelta(days=16))
    assert later.orphans_deleted >= 1
    left = {f.uri for f in store.files(lake.lake.location("plays"))}
    assert waiting not in left
    assert normal_uri(data_files(lake.table("plays"))[0].path) in left


def test_a_dry_run_changes_nothing(lake: TestLake) -> None:
    for n in range(3):
        land(lake, f"raw/dec-{n}", DEC + timedelta(hours=n), [f"D{n}"])
    before = lake.table("plays").metadata_location
    result = maintain(lake, MaintenanceOptions(dry_run=True, retention=timedelta(0), keep_last=1))
    assert (result.partitions_rewritten, result.files_after, result.snapshots_expired) == (1, 1, 2)
    assert "would be rewritten" in result.line()
    assert lake.table("plays").metadata_location == before


def test_a_table_not_created_yet_is_skipped(lake: TestLake) -> None:
    result = maintain(lake, MaintenanceOptions())
    assert result.skipped == "no such table"


def test_files_without_rows_are_seen_and_cleared_by_compaction(lake: TestLake) -> None:
    """The transformer writes a file per table per raw object even when it has no rows; the
    cataloger's delete drops such files, but registered without one (a migration) they stay."""
    land(lake, "raw/dec-0", DEC, ["D0"])
    for n in range(3):
        uri = lake.put(f"curated/plays/dt=2026-12-03/empty-{n}.parquet", parquet("plays", []))
        lake.commit("plays", [uri])
    assert len(data_files(lake.table("plays"))) == 4  # a scan plans only the one with rows
    result = maintain(lake, MaintenanceOptions())
    assert (result.files_before, result.files_after) == (4, 1)
    assert [t for _, t in plays(lake.table("plays"))] == ["D0"]

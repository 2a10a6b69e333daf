"""Coalescing a batch of file messages into one commit plan per table."""

from __future__ import annotations

import pytest
from cataloger.plan import check_message, coalesce
from spotify_etl_common.errors import PermanentError
from spotify_etl_common.messages import TableFileWritten
from spotify_etl_common.tables import TABLES


def written(table: str, day: str, n: int = 0, **changes: object) -> TableFileWritten:
    fields: dict[str, object] = {
        "table": table,
        "bucket": "bkt",
        "key": f"curated/{table}/dt={day}/{n:032x}.parquet",
        "partition": {"dt": day},
        "rows": 3,
        "schema_version": 1,
        "source_key": f"raw/source=albums/album_id=a{n}.json",
    }
    return TableFileWritten.model_validate(fields | changes)


def test_many_files_of_one_table_become_one_plan_of_their_sources_and_files() -> None:
    messages = [written("albums", "2026-11-24", n) for n in (2, 0, 1)]
    (plan,) = coalesce(messages, TABLES)
    assert plan.table is TABLES["albums"]
    assert plan.sources == tuple(f"raw/source=albums/album_id=a{n}.json" for n in range(3))
    assert plan.paths == tuple(
        f"s3://bkt/curated/albums/dt=2026-11-24/{n:032x}.parquet" for n in range(3)
    )


def test_plans_are_per_table_in_name_order_whatever_the_days() -> None:
    messages = [
        written("tracks", "2026-11-25", 1),
        written("albums", "2026-11-24", 2),
        written("tracks", "2026-10-24", 3),
    ]
    plans = coalesce(messages, TABLES)
    assert [(p.table.name, len(p.paths)) for p in plans] == [("albums", 1), ("tracks", 2)]


def test_a_file_announced_twice_is_added_once() -> None:
    (plan,) = coalesce([written("albums", "2026-11-24", 0)] * 2, TABLES)
    assert len(plan.paths) == 1


def test_of_two_versions_of_one_raw_objects_file_the_newest_written_is_added() -> None:
    older = written("albums", "2026-11-24", 0, written_at="2026-11-24T01:00:00Z")
    newer = written(
        "albums",
        "2026-11-24",
        0,
        key=f"curated/albums/dt=2026-11-24/{7:032x}.parquet",
        written_at="2026-11-24T02:00:00Z",
    )
    for batch in ([older, newer], [newer, older]):
        (plan,) = coalesce(batch, TABLES)
        assert plan.paths == (f"s3://bkt/{newer.key}",)


def test_a_batch_files_days_are_each_kept() -> None:
    days = [
        written("albums", day, 0, source_key="batch-abc") for day in ("2026-11-24", "2026-11-25")
    ]
    (plan,) = coalesce(days, TABLES)
    assert len(plan.paths) == 2


def test_a_file_without_rows_replaces_its_source_but_adds_nothing() -> None:
    (plan,) = coalesce([written("albums", "2026-11-24", 0, rows=0)], TABLES)
    assert (plan.sources, plan.paths) == (("raw/source=albums/album_id=a0.json",), ())


def test_a_plan_splits_into_one_plan_per_source() -> None:
    (plan,) = coalesce([written("albums", "2026-11-24", n) for n in range(3)], TABLES)
    single = plan.split()
    assert [p.sources for p in single] == [(s,) for s in plan.sources]
    assert [p.paths for p in single] == [(p,) for p in plan.paths]


def test_empty_batch_plans_nothing() -> None:
    assert coalesce([], TABLES) == []


def test_unknown_table_is_permanent_and_names_the_known_ones() -> None:
    with pytest.raises(PermanentError, match=r"unknown table 'genres'.*albums, artists"):
        check_message(written("genres", "2026-11-24"), TABLES, "bkt")


def test_newer_schema_version_than_declared_is_permanent_with_what_to_do() -> None:
    with pytest.raises(PermanentError, match=r"schema version 2.*redrive"):
        check_message(written("albums", "2026-11-24", schema_version=2), TABLES, "bkt")


def test_file_in_another_bucket_is_permanent() -> None:
    with pytest.raises(PermanentError, match="bucket 'other'"):
        check_message(written("albums", "2026-11-24", bucket="other"), TABLES, "bkt")


def test_valid_message_resolves_to_its_table() -> None:
    assert check_message(written("plays", "2026-11-24"), TABLES, "bkt") is TABLES["plays"]

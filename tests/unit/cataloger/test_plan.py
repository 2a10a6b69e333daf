"""Coalescing a batch of file messages into one plan per table."""

from __future__ import annotations

import pytest
from cataloger.plan import TablePlan, check_message, coalesce
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


def test_many_files_of_one_table_and_day_become_one_partition() -> None:
    messages = [written("albums", "2026-11-24", n) for n in range(7)]
    assert coalesce(messages, TABLES) == [
        TablePlan(TABLES["albums"], ((("dt", "2026-11-24"),),), files=7)
    ]


def test_plans_are_per_table_with_distinct_sorted_days() -> None:
    messages = [
        written("tracks", "2026-11-25", 1),
        written("albums", "2026-11-24", 2),
        written("tracks", "2026-11-24", 3),
        written("tracks", "2026-11-25", 4),
    ]
    plans = coalesce(messages, TABLES)
    assert [(p.table.name, p.partition_dicts(), p.files) for p in plans] == [
        ("albums", [{"dt": "2026-11-24"}], 1),
        ("tracks", [{"dt": "2026-11-24"}, {"dt": "2026-11-25"}], 3),
    ]


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


def test_missing_dt_partition_value_is_permanent() -> None:
    with pytest.raises(PermanentError, match="lacks partition value"):
        check_message(written("albums", "2026-11-24", partition={}), TABLES, "bkt")


def test_valid_message_resolves_to_its_table() -> None:
    assert check_message(written("plays", "2026-11-24"), TABLES, "bkt") is TABLES["plays"]

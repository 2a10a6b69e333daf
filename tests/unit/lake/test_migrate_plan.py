"""The migration plan of one table, from its Glue state and files."""

from __future__ import annotations

from spotify_etl_lake.glue_tables import hive_files, table_kind
from spotify_etl_lake.migrate import GlueState, plan_table, swapped_input

FILES = [
    "s3://b/curated/tracks/dt=2026-11-02/b.parquet",
    "s3://b/curated/tracks/dt=2026-11-01/a.parquet",
]


def test_a_hive_table_is_migrated_with_its_files_and_partitions() -> None:
    step = plan_table("tracks", GlueState("hive", staging=False, partitions=2), FILES)
    assert (step.action, step.files, step.drop_staging, step.drop_partitions) == (
        "migrate",
        tuple(sorted(FILES)),
        False,
        2,
    )
    assert "register 2 Parquet file(s)" in step.line(done=False)


def test_a_crash_before_the_swap_drops_the_staging_table_and_builds_again() -> None:
    step = plan_table("tracks", GlueState("hive", staging=True, partitions=2), FILES)
    assert (step.action, step.drop_staging) == ("migrate", True)


def test_a_crash_after_the_swap_leaves_only_leftovers_to_clear() -> None:
    step = plan_table("tracks", GlueState("iceberg", staging=True, partitions=2), [])
    assert (step.action, step.files, step.drop_staging, step.drop_partitions) == (
        "finish",
        (),
        True,
        2,
    )


def test_a_migrated_or_absent_table_needs_nothing() -> None:
    assert plan_table("tracks", GlueState("iceberg", False, 0), []).action == "nothing"
    assert plan_table("tracks", GlueState("absent", False, 0), []).action == "nothing"
    assert "already Iceberg" in plan_table("tracks", GlueState("iceberg", False, 0), []).line(True)


def test_only_parquet_under_dt_folders_of_the_table_is_hive_data() -> None:
    uris = [
        *FILES,
        "s3://b/curated/tracks/metadata/00000-x.metadata.json",
        "s3://b/curated/tracks/data/extracted_at_month=2026-11/c.parquet",
        "s3://b/curated/tracks/dt=2026-11-01/notes.txt",
        "s3://b/curated/tracks_extra/dt=2026-11-01/d.parquet",
    ]
    assert hive_files(uris, "tracks") == sorted(FILES)


def test_table_kind_reads_the_table_type_parameter() -> None:
    assert table_kind(None) == "absent"
    assert table_kind({"Parameters": {"table_type": "ICEBERG"}}) == "iceberg"
    assert table_kind({"Parameters": {"classification": "parquet"}}) == "hive"


def test_the_swap_takes_the_iceberg_definition_and_keeps_the_description() -> None:
    hive = {"Name": "tracks", "Description": "One row per track", "PartitionKeys": [{"Name": "dt"}]}
    staging = {
        "Name": "tracks__iceberg_migration",
        "TableType": "EXTERNAL_TABLE",
        "Parameters": {"table_type": "ICEBERG", "metadata_location": "s3://b/m.json"},
        "StorageDescriptor": {"Location": "s3://b/curated/tracks", "Columns": []},
    }
    assert swapped_input("tracks", hive, staging) == {
        "Name": "tracks",
        "Description": "One row per track",
        "TableType": "EXTERNAL_TABLE",
        "Parameters": {"table_type": "ICEBERG", "metadata_location": "s3://b/m.json"},
        "StorageDescriptor": {"Location": "s3://b/curated/tracks", "Columns": []},
        "PartitionKeys": [],
    }

"""Glue payloads are pure functions of the table declarations."""

from __future__ import annotations

import pytest
from cataloger.definitions import (
    PARQUET_SERDE,
    Projection,
    partition_input,
    projection_parameters,
    table_input,
)
from cataloger.glue_types import GLUE_TYPES, glue_type
from spotify_etl_common.tables import TABLES, Column, Table

SMALL = Table(
    "plays",
    "Recently played tracks.",
    (
        Column("played_at", "timestamp", "when", nullable=False),
        Column("track_id", "string", "id"),
        Column("ms", "bigint", "duration"),
    ),
    schema_version=2,
)

STORAGE = {
    "InputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
    "OutputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
    "Compressed": False,
    "NumberOfBuckets": -1,
    "SerdeInfo": {
        "SerializationLibrary": PARQUET_SERDE,
        "Parameters": {"serialization.format": "1"},
    },
    "StoredAsSubDirectories": False,
}
COLUMNS = [
    {"Name": "played_at", "Type": "timestamp", "Comment": "when"},
    {"Name": "track_id", "Type": "string", "Comment": "id"},
    {"Name": "ms", "Type": "bigint", "Comment": "duration"},
]


def test_table_input_has_explicit_types_parquet_serde_location_and_dt_partition() -> None:
    assert table_input("bkt", SMALL) == {
        "Name": "plays",
        "Description": "Recently played tracks.",
        "TableType": "EXTERNAL_TABLE",
        "Parameters": {
            "classification": "parquet",
            "parquet.compression": "ZSTD",
            "EXTERNAL": "TRUE",
            "spotify_etl.schema_version": "2",
        },
        "StorageDescriptor": {
            "Columns": COLUMNS,
            "Location": "s3://bkt/curated/plays/",
            **STORAGE,
        },
        "PartitionKeys": [
            {"Name": "dt", "Type": "string", "Comment": "UTC day of extraction, yyyy-mm-dd"}
        ],
    }


def test_partition_input_points_at_the_day_folder_with_the_table_columns() -> None:
    assert partition_input("bkt", SMALL, {"dt": "2026-11-24"}) == {
        "Values": ["2026-11-24"],
        "StorageDescriptor": {
            "Columns": COLUMNS,
            "Location": "s3://bkt/curated/plays/dt=2026-11-24/",
            **STORAGE,
        },
    }


def test_partition_input_without_dt_is_refused_with_the_missing_key() -> None:
    with pytest.raises(ValueError, match="lacks key"):
        partition_input("bkt", SMALL, {"day": "2026-11-24"})


def test_projection_parameters_project_dt_as_dates_up_to_now() -> None:
    assert projection_parameters("bkt", SMALL, Projection("2024-01-01")) == {
        "projection.enabled": "true",
        "projection.dt.type": "date",
        "projection.dt.range": "2024-01-01,NOW",
        "projection.dt.format": "yyyy-MM-dd",
        "projection.dt.interval": "1",
        "projection.dt.interval.unit": "DAYS",
        "storage.location.template": "s3://bkt/curated/plays/dt=${dt}/",
    }


def test_table_input_with_projection_carries_the_projection_parameters() -> None:
    parameters = table_input("bkt", SMALL, Projection("2024-01-01"))["Parameters"]
    assert parameters["projection.enabled"] == "true"
    assert parameters["classification"] == "parquet"


def test_every_declared_column_type_maps_to_a_glue_type() -> None:
    used = {c.type for t in TABLES.values() for c in (*t.columns, *t.partition_keys)}
    assert used <= set(GLUE_TYPES)
    assert [glue_type(t) for t in ("int", "bigint", "timestamp", "date")] == [
        "int",
        "bigint",
        "timestamp",
        "date",
    ]


def test_unknown_logical_type_is_refused_with_the_known_ones() -> None:
    with pytest.raises(ValueError, match="unknown logical column type 'decimal'"):
        glue_type("decimal")  # type: ignore[arg-type]

"""Glue request payloads built by pure functions (tested by equality).

Modelled on aws-sdk-pandas ``awswrangler/catalog/_definitions.py``: one function
per payload, inputs are plain values, nothing here talks to AWS.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from spotify_etl_common.keys import table_prefix
from spotify_etl_common.tables import Column, Table

from cataloger.glue_types import glue_type

if TYPE_CHECKING:
    from types_aiobotocore_glue.type_defs import (
        ColumnTypeDef,
        DatabaseInputTypeDef,
        PartitionInputTypeDef,
        StorageDescriptorTypeDef,
        TableInputTypeDef,
    )

PARQUET_INPUT_FORMAT = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat"
PARQUET_OUTPUT_FORMAT = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat"
PARQUET_SERDE = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
PROJECTION_DATE_FORMAT = "yyyy-MM-dd"


@dataclass(frozen=True)
class Projection:
    """Partition projection of the ``dt`` key: Athena computes partitions, none are added."""

    start: str
    """First day of the projected range, yyyy-mm-dd."""


def table_location(bucket: str, table: str) -> str:
    """``s3://bucket/curated/<table>/``: the Glue table location."""
    return f"s3://{bucket}/{table_prefix(table)}"


def partition_location(bucket: str, table: str, partition: dict[str, str]) -> str:
    """``s3://bucket/curated/<table>/dt=<day>/``: where one partition's files live."""
    path = "".join(f"{key}={value}/" for key, value in partition.items())
    return f"{table_location(bucket, table)}{path}"


def column_input(column: Column) -> ColumnTypeDef:
    """One Glue column with its declared type and comment."""
    return {"Name": column.name, "Type": glue_type(column.type), "Comment": column.comment}


def database_input(name: str) -> DatabaseInputTypeDef:
    """The Glue database of the curated tables."""
    return {"Name": name, "Description": "spotify-etl curated tables and views"}


def storage_descriptor(location: str, columns: tuple[Column, ...]) -> StorageDescriptorTypeDef:
    """Parquet storage at ``location`` with the given data columns."""
    return {
        "Columns": [column_input(c) for c in columns],
        "Location": location,
        "InputFormat": PARQUET_INPUT_FORMAT,
        "OutputFormat": PARQUET_OUTPUT_FORMAT,
        "Compressed": False,
        "NumberOfBuckets": -1,
        "SerdeInfo": {
            "SerializationLibrary": PARQUET_SERDE,
            "Parameters": {"serialization.format": "1"},
        },
        "StoredAsSubDirectories": False,
    }


def projection_parameters(bucket: str, table: Table, projection: Projection) -> dict[str, str]:
    """Table parameters that turn on partition projection over ``dt`` (yyyy-mm-dd, up to NOW)."""
    parameters = {"projection.enabled": "true"}
    for key in table.partition_keys:
        parameters |= {
            f"projection.{key.name}.type": "date",
            f"projection.{key.name}.range": f"{projection.start},NOW",
            f"projection.{key.name}.format": PROJECTION_DATE_FORMAT,
            f"projection.{key.name}.interval": "1",
            f"projection.{key.name}.interval.unit": "DAYS",
        }
    template = "".join(f"{k.name}=${{{k.name}}}/" for k in table.partition_keys)
    parameters["storage.location.template"] = f"{table_location(bucket, table.name)}{template}"
    return parameters


def table_input(
    bucket: str, table: Table, projection: Projection | None = None
) -> TableInputTypeDef:
    """The full Glue ``TableInput`` of a curated table."""
    parameters = {
        "classification": "parquet",
        "parquet.compression": "ZSTD",
        "EXTERNAL": "TRUE",
        "spotify_etl.schema_version": str(table.schema_version),
    }
    if projection is not None:
        parameters |= projection_parameters(bucket, table, projection)
    return {
        "Name": table.name,
        "Description": table.comment,
        "TableType": "EXTERNAL_TABLE",
        "Parameters": parameters,
        "StorageDescriptor": storage_descriptor(table_location(bucket, table.name), table.columns),
        "PartitionKeys": [column_input(c) for c in table.partition_keys],
    }


def partition_input(bucket: str, table: Table, partition: dict[str, str]) -> PartitionInputTypeDef:
    """The Glue ``PartitionInput`` of one partition (values in partition-key order)."""
    missing = [k.name for k in table.partition_keys if k.name not in partition]
    if missing:
        raise ValueError(
            f"partition {partition} of table {table.name} lacks key(s) {', '.join(missing)}"
        )
    ordered = {k.name: partition[k.name] for k in table.partition_keys}
    return {
        "Values": list(ordered.values()),
        "StorageDescriptor": storage_descriptor(
            partition_location(bucket, table.name, ordered), table.columns
        ),
    }

"""A curated table's declaration as Apache Iceberg: schema, partition spec, Arrow schema.

Pure. The declaration in :mod:`spotify_etl_common.tables` is the one source;
field ids follow the declared column order (1, 2, ...), so the same declaration
always gives the same schema, and a column added at the end of a table (with its
``schema_version`` bumped) gets the next id when the cataloger evolves the table.

Every field is optional in Iceberg even where the declaration says
``nullable=False``: the transformer enforces those (it writes no such null), and
files written by Polars declare every column optional, which ``add_files`` would
refuse against a required field.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

import pyarrow as pa
from pyiceberg.partitioning import PartitionField, PartitionSpec
from pyiceberg.schema import Schema
from pyiceberg.transforms import (
    DayTransform,
    IdentityTransform,
    MonthTransform,
    Transform,
    YearTransform,
)
from pyiceberg.types import (
    BooleanType,
    DateType,
    DoubleType,
    IcebergType,
    IntegerType,
    LongType,
    NestedField,
    StringType,
    TimestamptzType,
)
from spotify_etl_common.tables import LogicalType, PartitionTransform, Table

FORMAT_VERSION: Final = 2
"""Iceberg table format version of every table (row-level deletes, read by Athena engine 3)."""

ICEBERG_TYPES: Final[Mapping[LogicalType, IcebergType]] = {
    "string": StringType(),
    "bigint": LongType(),
    "int": IntegerType(),
    "boolean": BooleanType(),
    "date": DateType(),
    "timestamp": TimestamptzType(),
    "double": DoubleType(),
}
"""Iceberg type of each logical column type (``timestamp`` is UTC: ``timestamptz``)."""

ARROW_TYPES: Final[Mapping[LogicalType, pa.DataType]] = {
    "string": pa.large_string(),
    "bigint": pa.int64(),
    "int": pa.int32(),
    "boolean": pa.bool_(),
    "date": pa.date32(),
    "timestamp": pa.timestamp("us", tz="UTC"),
    "double": pa.float64(),
}
"""Arrow type of each logical column type, as the transformer's Parquet files hold them."""

_TRANSFORMS: Final[Mapping[PartitionTransform, Transform[Any, Any]]] = {
    "identity": IdentityTransform(),
    "year": YearTransform(),
    "month": MonthTransform(),
    "day": DayTransform(),
}

FIRST_PARTITION_FIELD_ID: Final = 1000
"""Iceberg numbers partition fields from 1000."""


def iceberg_schema(table: Table) -> Schema:
    """The Iceberg schema of ``table``: its columns in order, ids from 1, documented."""
    return Schema(
        *(
            NestedField(
                field_id=number,
                name=column.name,
                field_type=ICEBERG_TYPES[column.type],
                required=False,
                doc=column.comment,
            )
            for number, column in enumerate(table.columns, start=1)
        )
    )


def partition_spec(table: Table, schema: Schema) -> PartitionSpec:
    """The (hidden) partition spec of ``table`` over ``schema``'s field ids."""
    return PartitionSpec(
        *(
            PartitionField(
                source_id=schema.find_field(field.source).field_id,
                field_id=FIRST_PARTITION_FIELD_ID + number,
                transform=_TRANSFORMS[field.transform],
                name=field.name,
            )
            for number, field in enumerate(table.partitioning)
        )
    )


def arrow_schema(table: Table) -> pa.Schema:
    """The Arrow schema of ``table``'s files (what a scan of the table returns)."""
    return pa.schema([pa.field(c.name, ARROW_TYPES[c.type], nullable=True) for c in table.columns])

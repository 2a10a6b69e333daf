"""Curated tables as Polars schemas: the one place logical types become dtypes.

The declarations live in :mod:`spotify_etl_common.tables` (shared with the
cataloger); this module maps their logical types to Polars dtypes and conforms
a frame to a table: exactly the declared columns, in order, with their types.
"""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl
from spotify_etl_common.tables import TABLES, LogicalType, Table

DTYPES: Mapping[LogicalType, pl.DataType] = {
    "string": pl.String(),
    "bigint": pl.Int64(),
    "int": pl.Int32(),
    "boolean": pl.Boolean(),
    "date": pl.Date(),
    "timestamp": pl.Datetime("us", "UTC"),
    "double": pl.Float64(),
}
"""Polars dtype of each logical column type."""


def polars_schema(table: Table) -> pl.Schema:
    """The data columns of ``table`` (partition keys excluded) as a Polars schema."""
    return pl.Schema({c.name: DTYPES[c.type] for c in table.columns})


def conform(table_name: str, frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` reduced to the columns of ``table_name``, in order, cast to their dtypes.

    A missing column is a bug in the transform, not in the data: it raises.
    """
    table = TABLES[table_name]
    missing = [name for name in table.column_names if name not in frame.columns]
    if missing:
        raise ValueError(f"frame for {table_name} lacks columns {missing}")
    return frame.select(pl.col(c.name).cast(DTYPES[c.type], strict=True) for c in table.columns)


def empty(table_name: str) -> pl.DataFrame:
    """An empty frame of ``table_name`` with the declared schema."""
    return pl.DataFrame(schema=polars_schema(TABLES[table_name]))

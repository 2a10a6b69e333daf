"""Logical column types of ``spotify_etl_common.tables`` as Glue/Hive types: the one mapping.

Parquet written by the transformer (Polars) reads back under these types in
Athena: Utf8 -> string, Int64 -> bigint, Int32 -> int, Boolean -> boolean,
Date -> date, Datetime("us", "UTC") -> timestamp, Float64 -> double.
"""

from __future__ import annotations

from typing import Final

from spotify_etl_common.tables import LogicalType

GLUE_TYPES: Final[dict[LogicalType, str]] = {
    "string": "string",
    "bigint": "bigint",
    "int": "int",
    "boolean": "boolean",
    "date": "date",
    "timestamp": "timestamp",
    "double": "double",
}
"""Glue (Hive DDL) type of every logical type."""


def glue_type(logical: LogicalType) -> str:
    """The Glue type of a logical column type; ``ValueError`` for an unknown one."""
    try:
        return GLUE_TYPES[logical]
    except KeyError:
        known = ", ".join(GLUE_TYPES)
        raise ValueError(f"unknown logical column type {logical!r} (known: {known})") from None

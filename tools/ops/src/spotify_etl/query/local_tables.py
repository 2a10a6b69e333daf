"""The curated tables as DuckDB views over their Parquet files (pure SQL builders).

Each table becomes ``CREATE VIEW <table> AS SELECT <declared columns, cast> FROM
read_parquet('s3://bucket/curated/<table>/*/*.parquet', hive_partitioning=true,
union_by_name=true)``. A declared column no file has yet reads as a typed NULL;
a table with no files at all is an empty view of the declared types.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Final

from spotify_etl_common.keys import table_prefix
from spotify_etl_common.tables import Column, LogicalType, Table

DUCKDB_TYPES: Final[dict[LogicalType, str]] = {
    "string": "VARCHAR",
    "bigint": "BIGINT",
    "int": "INTEGER",
    "boolean": "BOOLEAN",
    "date": "DATE",
    "timestamp": "TIMESTAMPTZ",
    "double": "DOUBLE",
}
"""DuckDB type of every logical type (Polars' UTC datetimes read as TIMESTAMPTZ)."""


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _all_columns(table: Table) -> tuple[Column, ...]:
    return (*table.columns, *table.partition_keys)


def files_glob(bucket: str, table: str) -> str:
    """``s3://bucket/curated/<table>/*/*.parquet``: every file of every partition."""
    return f"s3://{bucket}/{table_prefix(table)}*/*.parquet"


def read_parquet_sql(files: str | Sequence[str], table: Table) -> str:
    """``read_parquet`` over a glob or a list of files, partition keys typed as declared."""
    hive_types = ", ".join(f"'{k.name}': '{DUCKDB_TYPES[k.type]}'" for k in table.partition_keys)
    return (
        f"read_parquet({_source(files)}, hive_partitioning = true, union_by_name = true, "
        f"hive_types = {{{hive_types}}})"
    )


def _source(files: str | Sequence[str]) -> str:
    if isinstance(files, str):
        return _literal(files)
    return "[" + ", ".join(_literal(f) for f in files) + "]"


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def table_view_sql(table: Table, source: str, present: Iterable[str]) -> str:
    """The view of a table over ``source`` (a ``read_parquet(...)`` or a loaded table).

    Columns are cast to the declared types; a column missing from every file
    reads as a typed NULL.
    """
    have = set(present)
    select = ",\n    ".join(
        f"CAST({_quote(c.name) if c.name in have else 'NULL'} AS {DUCKDB_TYPES[c.type]}) "
        f"AS {_quote(c.name)}"
        for c in _all_columns(table)
    )
    return f"CREATE OR REPLACE VIEW {_quote(table.name)} AS\nSELECT\n    {select}\nFROM {source}"


def load_table_sql(schema: str, table: Table, files: Sequence[str]) -> str:
    """Read a table's files once into ``schema.<table>`` (as they are, uncast)."""
    return (
        f"CREATE OR REPLACE TABLE {_quote(schema)}.{_quote(table.name)} AS "
        f"SELECT * FROM {read_parquet_sql(files, table)}"
    )


def empty_table_view_sql(table: Table) -> str:
    """An empty view with the declared columns and types (a table with no files yet)."""
    select = ", ".join(
        f"CAST(NULL AS {DUCKDB_TYPES[c.type]}) AS {_quote(c.name)}" for c in _all_columns(table)
    )
    return f"CREATE OR REPLACE VIEW {_quote(table.name)} AS SELECT {select} WHERE false"

"""The curated tables as DuckDB views over their rows (pure SQL builders).

Each table's rows are first loaded once into ``files.<table>`` (from local
Parquet files, or from Arrow rows), then ``<table>`` becomes ``CREATE VIEW
<table> AS SELECT <declared columns, cast> FROM files.<table>``. A declared
column no file has yet reads as a typed NULL; a table with no rows at all is an
empty view of the declared types.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Final

from spotify_etl_common.tables import LogicalType, Table

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


def quote(name: str) -> str:
    """A DuckDB identifier."""
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def read_parquet_sql(files: Sequence[str]) -> str:
    """``read_parquet`` over local files, columns matched by name (files written before a
    column was added lack it)."""
    listed = "[" + ", ".join(_literal(f) for f in files) + "]"
    return f"read_parquet({listed}, union_by_name = true, hive_partitioning = false)"


def table_view_sql(table: Table, source: str, present: Iterable[str]) -> str:
    """The view of a table over ``source`` (a loaded table).

    Columns are cast to the declared types; a column missing from every file
    reads as a typed NULL.
    """
    have = set(present)
    select = ",\n    ".join(
        f"CAST({quote(c.name) if c.name in have else 'NULL'} AS {DUCKDB_TYPES[c.type]}) "
        f"AS {quote(c.name)}"
        for c in table.columns
    )
    return f"CREATE OR REPLACE VIEW {quote(table.name)} AS\nSELECT\n    {select}\nFROM {source}"


def load_table_sql(schema: str, table: Table, source: str) -> str:
    """Read a table's rows once into ``schema.<table>`` (as they are, uncast) from
    ``source`` (a ``read_parquet(...)`` or a registered Arrow table)."""
    return f"CREATE OR REPLACE TABLE {quote(schema)}.{quote(table.name)} AS SELECT * FROM {source}"


def empty_table_view_sql(table: Table) -> str:
    """An empty view with the declared columns and types (a table with no rows yet)."""
    select = ", ".join(
        f"CAST(NULL AS {DUCKDB_TYPES[c.type]}) AS {quote(c.name)}" for c in table.columns
    )
    return f"CREATE OR REPLACE VIEW {quote(table.name)} AS SELECT {select} WHERE false"

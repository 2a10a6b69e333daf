"""DuckDB over the lake's tables in (local) S3: the views where Athena has no rows.

moto's Athena records queries but returns nothing, so locally the same view SQL
runs here. DuckDB's iceberg and httpfs extensions are downloaded at run time,
so the lake is read without them: pyiceberg plans each table's current
snapshot (:mod:`spotify_etl_lake.read`), its data files are downloaded into a
temporary folder as soon as its plan is known, and DuckDB loads them into
memory. Then DuckDB's access to files is turned off: a query reads the loaded
tables and nothing else.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import duckdb
from spotify_etl_common.tables import Table
from spotify_etl_lake.catalog import Lake, open_catalog
from spotify_etl_lake.read import TableRead, file_reader, read_table
from spotify_etl_views import View

from spotify_etl.query.local_tables import (
    empty_table_view_sql,
    load_table_sql,
    quote,
    read_parquet_sql,
    table_view_sql,
)
from spotify_etl.query.target import LocalTarget
from spotify_etl.query.transpile import duckdb_view_sql

LOADED_SCHEMA: Final = "files"
"""Schema of the tables loaded from Parquet (the views in ``main`` cast them)."""
PLAN_WORKERS: Final = 8
"""Tables planned at once (a few small requests to Glue and S3 each)."""
FETCH_WORKERS: Final = 16
"""Data files downloaded at once."""

TableRows = Sequence[str] | Any
"""A table's rows: local Parquet paths, or a ``pyarrow.Table``."""


@dataclass(frozen=True)
class Rows:
    """Column names and Python values of a query's result."""

    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]


def connect_lake(
    target: LocalTarget, tables: Mapping[str, Table], views: Sequence[View]
) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with every table of the target's lake and every view."""
    credentials = (target.key, target.secret) if target.key and target.secret else None
    catalog = open_catalog(target, credentials=credentials)
    read_file = file_reader(catalog)
    lake = Lake(target.bucket, target.database)
    listing = _Listing(target)
    with (
        ThreadPoolExecutor(PLAN_WORKERS) as planners,
        ThreadPoolExecutor(FETCH_WORKERS) as fetchers,
        tempfile.TemporaryDirectory(prefix="spotify-etl-query-") as scratch,
    ):

        def plan(name: str) -> tuple[TableRead, list[Future[bytes]]]:
            read = read_table(catalog, lake, name, listing.files)
            return read, [fetchers.submit(read_file, uri) for uri in read.files]

        planned = list(planners.map(plan, tables))
        return connect(save(planned, Path(scratch)), tables, views)


class _Listing:
    """Lists the folders of Hive tables not yet migrated (s3fs, loaded on first use)."""

    def __init__(self, target: LocalTarget) -> None:
        self._target = target
        self._fs: Any = None

    def files(self, folder: str) -> Iterator[str]:
        if self._fs is None:
            import s3fs

            self._fs = s3fs.S3FileSystem(
                endpoint_url=self._target.endpoint,
                key=self._target.key,
                secret=self._target.secret,
                use_listings_cache=False,
            )
        return (f"s3://{path}" for path in self._fs.find(folder.removeprefix("s3://")))


def save(
    planned: Iterable[tuple[TableRead, Sequence[Future[bytes]]]], directory: Path
) -> dict[str, TableRows]:
    """Each table's rows: its downloaded files saved under ``directory``, or the rows read.

    A file is saved as ``<directory>/<n>.parquet``, named by its place in the list,
    never by its key: no key, however odd, writes outside ``directory``.
    """
    local: dict[str, TableRows] = {}
    number = 0
    for read, downloads in planned:
        if read.rows is not None:
            local[read.name] = read.rows
            continue
        paths = []
        for download in downloads:
            path = directory / f"{number:06d}.parquet"
            number += 1
            path.write_bytes(download.result())
            paths.append(str(path))
        local[read.name] = paths
    return local


def connect(
    data: Mapping[str, TableRows], tables: Mapping[str, Table], views: Sequence[View]
) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with every table loaded from ``data`` and every view.

    Once the tables are loaded, DuckDB's external access is turned off (it cannot
    be turned on again): queries read the loaded tables and nothing else.
    """
    con = duckdb.connect(":memory:")
    con.execute("SET TimeZone = 'UTC'")
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {quote(LOADED_SCHEMA)}")
    for table in tables.values():
        con.execute(_table_sql(con, table, data.get(table.name)))
    con.execute("SET enable_external_access = false")
    for view in views:
        try:
            con.execute(duckdb_view_sql(view))
        except duckdb.Error as error:
            raise ValueError(f"view {view.name} does not run on DuckDB: {error}") from error
    return con


def _table_sql(con: duckdb.DuckDBPyConnection, table: Table, rows: TableRows | None) -> str:
    """Load the table's rows once; the view that casts them (or an empty view)."""
    if rows is None or len(rows) == 0:
        return empty_table_view_sql(table)
    if isinstance(rows, Sequence):
        con.execute(load_table_sql(LOADED_SCHEMA, table, read_parquet_sql(rows)))
    else:
        con.register("loaded_rows", rows)
        con.execute(load_table_sql(LOADED_SCHEMA, table, "loaded_rows"))
        con.unregister("loaded_rows")
    source = f"{quote(LOADED_SCHEMA)}.{quote(table.name)}"
    described = con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()
    return table_view_sql(table, source, (str(row[0]) for row in described))


def run_query(con: duckdb.DuckDBPyConnection, sql: str) -> Rows:
    """Run one query; its columns and rows."""
    cursor = con.execute(sql)
    columns = tuple(d[0] for d in cursor.description or ())
    return Rows(columns, tuple(tuple(r) for r in cursor.fetchall()))

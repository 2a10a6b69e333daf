"""DuckDB over the curated Parquet in (local) S3: the views where Athena has no rows.

moto's Athena records queries but returns nothing, so locally the same view
SQL runs here, reading the files through s3fs (DuckDB's httpfs is not
available offline).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import s3fs
from spotify_etl_common.keys import CURATED_PREFIX
from spotify_etl_common.tables import Table
from spotify_etl_views import View

from spotify_etl.query.local_tables import (
    empty_table_view_sql,
    files_glob,
    load_table_sql,
    read_parquet_sql,
    table_view_sql,
)
from spotify_etl.query.transpile import duckdb_view_sql

LOADED_SCHEMA = "files"
"""Schema of the tables loaded from Parquet (the views in ``main`` cast them)."""


@dataclass(frozen=True)
class Rows:
    """Column names and Python values of a query's result."""

    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]


def s3_filesystem(endpoint: str | None, key: str | None, secret: str | None) -> s3fs.S3FileSystem:
    """An s3fs filesystem on ``endpoint`` (the local moto server) without listing cache."""
    return s3fs.S3FileSystem(
        endpoint_url=endpoint, key=key, secret=secret, use_listings_cache=False
    )


def connect(
    fs: Any,
    bucket: str,
    tables: Mapping[str, Table],
    views: Sequence[View],
    *,
    materialize: bool = True,
) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with every table and view registered over ``bucket``.

    ``materialize`` (the default) fetches every file once, concurrently through
    s3fs, and loads each table into memory: DuckDB reading ``s3://`` through a
    registered filesystem opens files one by one (about ten requests each),
    which takes seconds per hundred files on a local moto server. Without it,
    the tables are views over ``read_parquet`` globs on the registered s3fs.
    """
    con = duckdb.connect(":memory:")
    con.execute("SET TimeZone = 'UTC'")
    con.register_filesystem(fs)
    con.execute(f'CREATE SCHEMA IF NOT EXISTS "{LOADED_SCHEMA}"')
    files = files_by_table(fs.find(f"{bucket}/{CURATED_PREFIX}"), bucket)
    with tempfile.TemporaryDirectory(prefix="spotify-etl-query-") as scratch:
        if materialize:
            files = fetch(fs, files, bucket, Path(scratch))
        for table in tables.values():
            con.execute(_table_sql(con, bucket, table, files.get(table.name, []), materialize))
    for view in views:
        try:
            con.execute(duckdb_view_sql(view))
        except duckdb.Error as error:
            raise ValueError(f"view {view.name} does not run on DuckDB: {error}") from error
    return con


def fetch(
    fs: Any, files: Mapping[str, list[str]], bucket: str, directory: Path
) -> dict[str, list[str]]:
    """Download the files concurrently under ``directory``, keeping the Hive layout."""
    prefix = f"s3://{bucket}/{CURATED_PREFIX}"
    remote = [url.removeprefix("s3://") for urls in files.values() for url in urls]
    contents: dict[str, bytes] = fs.cat(remote) if remote else {}
    local: dict[str, list[str]] = {}
    for table, urls in files.items():
        for url in urls:
            path = directory / url.removeprefix(prefix)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(contents[url.removeprefix("s3://")])
            local.setdefault(table, []).append(str(path))
    return local


def files_by_table(paths: Iterable[str], bucket: str) -> dict[str, list[str]]:
    """``s3://`` URLs of the Parquet files among ``paths`` (s3fs form), by table, sorted."""
    prefix = f"{bucket}/{CURATED_PREFIX}"
    found: dict[str, list[str]] = {}
    for path in sorted(paths):
        if path.startswith(prefix) and path.endswith(".parquet"):
            table = path.removeprefix(prefix).split("/", 1)[0]
            found.setdefault(table, []).append(f"s3://{path}")
    return found


def _table_sql(
    con: duckdb.DuckDBPyConnection,
    bucket: str,
    table: Table,
    files: list[str],
    materialize: bool,
) -> str:
    """Materialized: the listed files loaded once. Not: the glob, so new files show up."""
    if not files:
        return empty_table_view_sql(table)
    if materialize:
        con.execute(load_table_sql(LOADED_SCHEMA, table, files))
        source = f'"{LOADED_SCHEMA}"."{table.name}"'
    else:
        source = read_parquet_sql(files_glob(bucket, table.name), table)
    described = con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()
    return table_view_sql(table, source, (str(row[0]) for row in described))


def run_query(con: duckdb.DuckDBPyConnection, sql: str) -> Rows:
    """Run one query; its columns and rows."""
    cursor = con.execute(sql)
    columns = tuple(d[0] for d in cursor.description or ())
    return Rows(columns, tuple(tuple(r) for r in cursor.fetchall()))

"""Curated Parquet written by hand into a fresh moto bucket, and DuckDB over it."""

from __future__ import annotations

import io
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import duckdb
import polars as pl
import pytest
from spotify_etl.query.local_engine import connect, s3_filesystem
from spotify_etl_common.tables import TABLES, LogicalType, Table
from spotify_etl_views import load_views

if TYPE_CHECKING:
    from tests.conftest import LocalAws

POLARS_TYPES: dict[LogicalType, pl.DataType] = {
    "string": pl.Utf8(),
    "bigint": pl.Int64(),
    "int": pl.Int32(),
    "boolean": pl.Boolean(),
    "date": pl.Date(),
    "timestamp": pl.Datetime("us", "UTC"),
    "double": pl.Float64(),
}


def frame(table: Table, rows: list[dict[str, Any]], drop: tuple[str, ...] = ()) -> pl.DataFrame:
    """A frame with exactly the table's columns and the transformer's dtypes."""
    schema = {c.name: POLARS_TYPES[c.type] for c in table.columns if c.name not in drop}
    return pl.DataFrame([{k: r.get(k) for k in schema} for r in rows], schema=schema, orient="row")


@dataclass
class Curated:
    """A bucket to put curated files in, and a DuckDB to query them."""

    aws: LocalAws
    bucket: str

    def put(
        self,
        table: str,
        day: str,
        name: str,
        rows: list[dict[str, Any]],
        drop: tuple[str, ...] = (),
    ) -> str:
        buffer = io.BytesIO()
        frame(TABLES[table], rows, drop).write_parquet(buffer, compression="zstd")
        key = f"curated/{table}/dt={day}/{name}.parquet"
        self.aws.client("s3").put_object(Bucket=self.bucket, Key=key, Body=buffer.getvalue())
        return key

    def connect(self, *, materialize: bool = True) -> duckdb.DuckDBPyConnection:
        fs = s3_filesystem(self.aws.endpoint, "testing", "testing")
        return connect(fs, self.bucket, TABLES, load_views(), materialize=materialize)


def new_curated(aws: LocalAws) -> Curated:
    """A fresh empty bucket on the moto server."""
    bucket = f"q-{uuid.uuid4().hex[:12]}"
    aws.client("s3").create_bucket(Bucket=bucket)
    return Curated(aws, bucket)


@pytest.fixture(scope="session")
def make_curated(moto_server: LocalAws) -> Callable[[], Curated]:
    """Makes a fresh empty bucket per call (for module-scoped data sets)."""
    return lambda: new_curated(moto_server)


@pytest.fixture
def curated(moto_server: LocalAws) -> Curated:
    return new_curated(moto_server)


@pytest.fixture
def query(curated: Curated) -> Iterator[Callable[[str], list[tuple[Any, ...]]]]:
    """Run SQL on a DuckDB built over the bucket as it is when first called."""
    connections: list[duckdb.DuckDBPyConnection] = []

    def run(sql: str) -> list[tuple[Any, ...]]:
        if not connections:
            connections.append(curated.connect())
        return connections[0].execute(sql).fetchall()

    yield run
    for con in connections:
        con.close()

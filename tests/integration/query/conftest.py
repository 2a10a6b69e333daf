"""Curated Parquet written by hand and committed to fresh Iceberg tables on moto, and DuckDB
over them."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import duckdb
import pytest
from spotify_etl.query.local_engine import connect_lake
from spotify_etl.query.target import LocalTarget
from spotify_etl_common.tables import TABLES
from spotify_etl_views import load_views

from tests.lake_tables import TestLake, parquet

if TYPE_CHECKING:
    from tests.conftest import LocalAws


@dataclass
class Curated:
    """A lake (bucket and Glue database of its own) to commit curated files to, and a DuckDB
    to query it."""

    aws: LocalAws
    lake: TestLake
    keys: set[str] = field(default_factory=set)

    @property
    def bucket(self) -> str:
        return self.lake.bucket

    @property
    def database(self) -> str:
        return self.lake.database

    def put(
        self,
        table: str,
        day: str,
        name: str,
        rows: list[dict[str, Any]],
        drop: tuple[str, ...] = (),
    ) -> str:
        """Write a file of ``rows`` under ``dt=<day>`` and add it to the table: appended,
        except that the same file again replaces its own rows (the cataloger's commit)."""
        body = parquet(table, rows, drop)
        digest = hashlib.sha256(body).hexdigest()[:8]
        key = f"curated/{table}/dt={day}/{name}-{digest}.parquet"
        again = key in self.keys
        self.keys.add(key)
        uri = self.lake.put(key, body)
        keys = sorted({str(r["source_key"]) for r in rows}) if again else []
        self.lake.commit(table, [uri], keys)
        return uri

    def target(self) -> LocalTarget:
        return LocalTarget(
            self.aws.endpoint, self.bucket, "testing", "testing", "test", database=self.database
        )

    def connect(self) -> duckdb.DuckDBPyConnection:
        return connect_lake(self.target(), TABLES, load_views())


def new_curated(aws: LocalAws) -> Curated:
    """A fresh empty lake on the moto server."""
    return Curated(aws, TestLake.fresh(aws))


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

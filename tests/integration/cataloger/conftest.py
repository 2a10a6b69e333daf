"""The cataloger against the moto server: a fresh Glue database per test."""

from __future__ import annotations

import io
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import httpx
import polars as pl
import pytest
from cataloger.committer import LakeCommitter
from cataloger.files import CuratedFiles
from cataloger.service import Cataloger
from cataloger.settings import CatalogerSettings
from pyiceberg.catalog.glue import GlueCatalog
from spotify_etl_common.aws import glue_client, s3_client
from spotify_etl_common.keys import curated_key
from spotify_etl_common.messages import TableFileWritten
from spotify_etl_common.sqs import ReceivedMessage
from spotify_etl_common.tables import TABLES
from spotify_etl_lake.catalog import Lake, open_catalog
from spotify_etl_lake.commit import RetryPolicy
from transformer.layout import parquet_bytes
from transformer.schemas import polars_schema

if TYPE_CHECKING:
    from spotify_etl.local.provision import Provisioned
    from types_aiobotocore_glue import GlueClient

    from tests.conftest import LocalAws


@pytest.fixture
def settings(stack: Provisioned, monkeypatch: pytest.MonkeyPatch) -> CatalogerSettings:
    """Cataloger settings on the stack, with a database of its own."""
    monkeypatch.setenv("CATALOGER_DATABASE", f"db_{uuid.uuid4().hex[:10]}")
    monkeypatch.setenv("CATALOGER_ATHENA_POLL_SECONDS", "0.05")
    return CatalogerSettings()


@pytest.fixture
async def glue(settings: CatalogerSettings) -> AsyncIterator[GlueClient]:
    async with glue_client(settings) as client:
        yield client


@pytest.fixture
async def files(settings: CatalogerSettings) -> AsyncIterator[CuratedFiles]:
    """The check of announced files, against the stack's bucket."""
    async with s3_client(settings) as client:
        yield CuratedFiles(client)


@pytest.fixture
def catalog(settings: CatalogerSettings) -> GlueCatalog:
    """pyiceberg's Glue catalog on the moto server (what the cataloger commits through)."""
    return open_catalog(settings)


@pytest.fixture
def committer(catalog: GlueCatalog, settings: CatalogerSettings) -> LakeCommitter:
    return LakeCommitter(
        catalog, Lake(settings.bucket, settings.database), RetryPolicy(attempts=3), lambda _: None
    )


@pytest.fixture
def cataloger(
    committer: LakeCommitter, settings: CatalogerSettings, files: CuratedFiles
) -> Cataloger:
    """A cataloger over every declared table, no crawler or views."""
    return Cataloger(committer, settings.bucket, TABLES, files)


def parquet_bytes_of(n: int = 2) -> bytes:
    """A small, real Parquet file (of no table)."""
    buffer = io.BytesIO()
    pl.DataFrame({"n": list(range(n))}).write_parquet(buffer)
    return buffer.getvalue()


def table_rows(
    table: str, day: str, source_key: str, rows: int = 1, tag: str = "a"
) -> pl.DataFrame:
    """``rows`` rows of ``table`` from ``source_key``: the first column ``<tag><i>``, lineage set,
    every other column null (all are optional in Iceberg)."""
    schema = polars_schema(TABLES[table])
    first = TABLES[table].columns[0].name
    when = datetime.fromisoformat(f"{day}T01:00:00+00:00").astimezone(UTC)
    columns: dict[str, list[Any]] = {name: [None] * rows for name in schema}
    columns[first] = (
        [f"{tag}{i}" for i in range(rows)] if schema[first] == pl.String else list(range(rows))
    )
    columns["source_key"] = [source_key] * rows
    columns["extracted_at"] = [when] * rows
    return pl.DataFrame(columns, schema=schema)


def source_of(n: int) -> str:
    return f"raw/source=albums/album_id=a{n}.json"


def received(n: int) -> ReceivedMessage:
    return ReceivedMessage(f"m{n}", f"r{n}", "{}", {}, 1, 0)


Batch = list[tuple[TableFileWritten, ReceivedMessage]]


class Files:
    """Puts table files in the bucket as the transformer would, and their messages."""

    def __init__(self, bucket: str, s3: Any) -> None:
        self.bucket = bucket
        self.s3 = s3

    def message(
        self, table: str, day: str, n: int, rows: int = 1, tag: str = "a", **changes: Any
    ) -> TableFileWritten:
        """Write a file of ``table`` from raw object ``n``; the message announcing it."""
        source = source_of(n)
        if table in TABLES:
            data = parquet_bytes(table_rows(table, day, source, rows, tag))
            key = curated_key(table, datetime.fromisoformat(day).date(), source, data)
        else:  # a table the cataloger does not know
            data, key = parquet_bytes_of(), f"curated/{table}/dt={day}/{n:032x}.parquet"
        self.s3.put_object(Bucket=self.bucket, Key=key, Body=data)
        fields: dict[str, Any] = {
            "table": table,
            "bucket": self.bucket,
            "key": key,
            "partition": {"dt": day},
            "rows": rows,
            "schema_version": TABLES[table].schema_version if table in TABLES else 1,
            "source_key": source,
        }
        return TableFileWritten.model_validate(fields | changes)


@pytest.fixture
def table_files(settings: CatalogerSettings, aws_env: LocalAws) -> Files:
    return Files(settings.bucket, aws_env.client("s3"))


@pytest.fixture
def batch(table_files: Files) -> Callable[..., Batch]:
    """``batch(("albums", "2026-11-24"), ...)``: one file and message per (table, day), from
    raw objects 0, 1, ... (message ids m0, m1, ...)."""

    def make(*files: tuple[str, str]) -> Batch:
        return [
            (table_files.message(table, day, n), received(n))
            for n, (table, day) in enumerate(files)
        ]

    return make


def scanned(catalog: GlueCatalog, database: str, table: str) -> pl.DataFrame:
    """The table's current rows (pyiceberg's scan), sorted by source and first column."""
    rows = pl.from_arrow(catalog.load_table((database, table)).scan().to_arrow())
    assert isinstance(rows, pl.DataFrame)
    return rows.sort("source_key", TABLES[table].columns[0].name)


@pytest.fixture
def crawl_transition(aws_env: LocalAws) -> Iterator[Callable[[dict[str, Any]], None]]:
    """Tell moto's state manager how crawls progress; back to the default afterwards."""

    def set_transition(transition: dict[str, Any]) -> None:
        httpx.post(
            f"{aws_env.endpoint}/moto-api/state-manager/set-transition",
            json={"model_name": "glue::crawl", "transition": transition},
        ).raise_for_status()

    yield set_transition
    httpx.post(
        f"{aws_env.endpoint}/moto-api/state-manager/unset-transition",
        json={"model_name": "glue::crawl"},
    ).raise_for_status()

"""The cataloger against the moto server: a fresh Glue database per test."""

from __future__ import annotations

import io
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from typing import TYPE_CHECKING, Any

import httpx
import polars as pl
import pytest
from cataloger.files import CuratedFiles
from cataloger.glue_catalog import GlueCatalog
from cataloger.service import Cataloger, CatalogOptions
from cataloger.settings import CatalogerSettings
from spotify_etl_common.aws import glue_client, s3_client
from spotify_etl_common.messages import TableFileWritten
from spotify_etl_common.sqs import ReceivedMessage
from spotify_etl_common.tables import TABLES

if TYPE_CHECKING:
    from spotify_etl.local.provision import Provisioned
    from types_aiobotocore_glue import GlueClient

    from tests.conftest import LocalAws


@pytest.fixture
def settings(stack: Provisioned, monkeypatch: pytest.MonkeyPatch) -> CatalogerSettings:
    """Cataloger settings on the stack, with a database of its own."""
    monkeypatch.setenv("CATALOGER_DATABASE", f"db_{uuid.uuid4().hex[:10]}")
    monkeypatch.setenv("CATALOGER_ATHENA_POLL_SECONDS", "0.05")
    monkeypatch.setenv("CATALOGER_CRAWLER_POLL_SECONDS", "0.1")
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
def cataloger(glue: GlueClient, settings: CatalogerSettings, files: CuratedFiles) -> Cataloger:
    """A cataloger over every declared table, partitions added, no crawler or views."""
    return Cataloger(
        GlueCatalog(glue, settings.database), CatalogOptions(settings.bucket), TABLES, files
    )


def parquet_bytes() -> bytes:
    """A small, real Parquet file."""
    buffer = io.BytesIO()
    pl.DataFrame({"n": [1, 2]}).write_parquet(buffer)
    return buffer.getvalue()


def _file_message(
    bucket: str, table: str, day: str, n: int = 0, **changes: Any
) -> TableFileWritten:
    source = f"raw/source=albums/album_id=a{n}.json"
    fields: dict[str, Any] = {
        "table": table,
        "bucket": bucket,
        "key": f"curated/{table}/dt={day}/{n:032x}.parquet",
        "partition": {"dt": day},
        "rows": 1,
        "schema_version": TABLES[table].schema_version if table in TABLES else 1,
        "source_key": source,
    }
    return TableFileWritten.model_validate(fields | changes)


def _received(n: int) -> ReceivedMessage:
    return ReceivedMessage(f"m{n}", f"r{n}", "{}", {}, 1, 0)


Batch = list[tuple[TableFileWritten, ReceivedMessage]]


@pytest.fixture
def batch(settings: CatalogerSettings, aws_env: LocalAws) -> Callable[..., Batch]:
    """``batch(("albums", "2026-11-24"), ...)``: one message per (table, day), ids m0, m1...

    Each message's Parquet file is put in the bucket first, as the transformer would.
    """
    s3 = aws_env.client("s3")
    body = parquet_bytes()

    def make(*files: tuple[str, str]) -> Batch:
        made = [
            (_file_message(settings.bucket, table, day, n), _received(n))
            for n, (table, day) in enumerate(files)
        ]
        for message, _ in made:
            s3.put_object(Bucket=settings.bucket, Key=message.key, Body=body)
        return made

    return make


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

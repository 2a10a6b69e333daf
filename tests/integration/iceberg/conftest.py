"""The lake against the moto server: a Glue catalog through pyiceberg, a database per test."""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import polars as pl
import pytest
from pyiceberg.catalog.glue import GlueCatalog
from spotify_etl_lake.catalog import Lake, open_catalog
from spotify_etl_lake.tables import ensure_namespace

if TYPE_CHECKING:
    from spotify_etl.local.provision import Provisioned

    from tests.conftest import LocalAws

EXTRACTED_AT = datetime(2026, 11, 24, 1, 0, tzinfo=UTC)


@dataclass(frozen=True)
class MotoEndpoints:
    """Every service on the moto server (the settings' ``endpoint_for``, for tests)."""

    endpoint: str
    aws_region: str = "us-east-1"

    def endpoint_for(self, service: str) -> str | None:
        return self.endpoint


@dataclass(frozen=True)
class LakeOnMoto:
    """A catalog, the lake's coordinates, and a way to put curated files."""

    catalog: GlueCatalog
    lake: Lake
    s3: Any

    def put_artists(
        self, source_key: str, *ids: str, when: datetime = EXTRACTED_AT, name: str = "n"
    ) -> str:
        """An ``artists`` file of ``ids`` from raw object ``source_key``; its s3:// path."""
        frame = pl.DataFrame(
            {
                "artist_id": list(ids),
                "name": [name] * len(ids),
                "url": [None] * len(ids),
                "uri": [f"spotify:artist:{i}" for i in ids],
                "source_key": [source_key] * len(ids),
                "extracted_at": [when] * len(ids),
            },
            schema={
                "artist_id": pl.String,
                "name": pl.String,
                "url": pl.String,
                "uri": pl.String,
                "source_key": pl.String,
                "extracted_at": pl.Datetime("us", "UTC"),
            },
        )
        return self.put_frame("artists", frame)

    def put_frame(self, table: str, frame: pl.DataFrame) -> str:
        buffer = io.BytesIO()
        frame.write_parquet(buffer)
        key = f"curated/{table}/dt=2026-11-24/{uuid.uuid4().hex}.parquet"
        self.s3.put_object(Bucket=self.lake.bucket, Key=key, Body=buffer.getvalue())
        return f"s3://{self.lake.bucket}/{key}"


@pytest.fixture
def on_moto(stack: Provisioned, aws_env: LocalAws) -> LakeOnMoto:
    """A fresh Glue database (namespace) on the stack's bucket."""
    lake = Lake(stack.names.bucket, f"db_{uuid.uuid4().hex[:10]}")
    catalog = open_catalog(MotoEndpoints(aws_env.endpoint))
    ensure_namespace(catalog, lake, "test lake")
    return LakeOnMoto(catalog, lake, aws_env.client("s3"))

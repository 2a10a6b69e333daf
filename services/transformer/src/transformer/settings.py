"""Settings of the transformer service, read once in ``main``."""

from __future__ import annotations

from pydantic import Field
from spotify_etl_common.worker import WorkerSettings

MAX_RAW_BYTES = 64 * 2**20
"""Largest raw object read by default: the extractor's pages are tens of KB and the importer's
objects a few MB, so a larger one is not ours (and would be read whole into memory)."""


class TransformerSettings(WorkerSettings):
    """Variables of the transformer (plus the shared worker and AWS ones)."""

    write_concurrency: int = Field(default=8, alias="TRANSFORMER_WRITE_CONCURRENCY", ge=1, le=64)
    """Parquet files of one raw object uploaded to S3 at the same time."""
    max_raw_bytes: int = Field(default=MAX_RAW_BYTES, alias="TRANSFORMER_MAX_RAW_BYTES", ge=1)
    """Largest raw object read (64 MiB): a larger one is poison, dead-lettered unread."""

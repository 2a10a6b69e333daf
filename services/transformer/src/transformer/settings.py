"""Settings of the transformer service, read once in ``main``."""

from __future__ import annotations

from pydantic import Field
from spotify_etl_common.worker import WorkerSettings


class TransformerSettings(WorkerSettings):
    """Variables of the transformer (plus the shared worker and AWS ones)."""

    write_concurrency: int = Field(default=8, alias="TRANSFORMER_WRITE_CONCURRENCY", ge=1, le=64)
    """Parquet files of one raw object uploaded to S3 at the same time."""

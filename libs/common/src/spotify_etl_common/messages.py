"""Message contracts between the services.

Producer and consumer import the same model. Every body carries ``version``;
a body that fails validation is poison and goes to the dead-letter queue.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Annotated, Literal, TypeVar

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
)

from spotify_etl_common.errors import PermanentError
from spotify_etl_common.keys import parse_curated_key, parse_day, parse_raw_key
from spotify_etl_common.sources import Source
from spotify_etl_common.tables import TABLES

__all__ = [
    "EXTRACTED_AT_METADATA",
    "SOURCE_KEY_METADATA",
    "RawObjectWritten",
    "Source",
    "TableFileWritten",
    "extracted_at",
    "parse_message",
    "raw_message",
    "table_file_message",
]

EXTRACTED_AT_METADATA = "extracted-at"
"""S3 user metadata (``x-amz-meta-extracted-at``) of every raw object: when its run
started (ISO 8601, UTC). The extractor writes it; a replay rebuilds the same message."""
SOURCE_KEY_METADATA = "source-key"
"""S3 user metadata (``x-amz-meta-source-key``) of a curated file: the raw key it came
from. The transformer writes it; a replay of the catalog stage reads it."""


class _Message(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    def attributes(self) -> dict[str, str]:
        """The SQS message attributes sent beside the body (for filtering and the DLQ view)."""
        return {}


NonEmpty = Annotated[str, Field(min_length=1)]


class RawObjectWritten(_Message):
    """The extractor wrote one raw Spotify response to S3."""

    version: Literal[1] = 1
    bucket: NonEmpty
    key: NonEmpty
    source: Source
    entity_id: str | None = None
    """Playlist, album, artist or track id; None for recently played."""
    snapshot_id: str | None = None
    """Playlist snapshot id for playlist sources."""
    page: int | None = Field(default=None, ge=0)
    """Page number for paginated sources."""
    run_id: NonEmpty
    extracted_at: AwareDatetime
    user_id: str | None = None
    """The Spotify user whose object it is (the key's ``user=``); None for shared dimensions
    and keys written before the household. Always what :func:`parse_raw_key` reads."""

    def attributes(self) -> dict[str, str]:
        """``source``: the attribute every producer of raw-object messages sets."""
        return {"source": str(self.source)}


class TableFileWritten(_Message):
    """The transformer wrote one Parquet file of one table."""

    version: Literal[1] = 1
    table: NonEmpty
    bucket: NonEmpty
    key: NonEmpty
    partition: dict[str, str]
    """The folder the file lies in: ``{"dt": "<yyyy-mm-dd>"}``, the UTC day of extraction
    (the table's own partitions are hidden: months of ``extracted_at``)."""
    rows: int = Field(ge=0)
    schema_version: int = Field(ge=1)
    source_key: NonEmpty
    """The raw object the file was made from (lineage)."""
    written_at: datetime | None = None

    @field_validator("partition")
    @classmethod
    def _a_day(cls, partition: dict[str, str]) -> dict[str, str]:
        if set(partition) != {"dt"} or parse_day(partition["dt"]) is None:
            raise ValueError(f"must be {{'dt': 'yyyy-mm-dd'}}, got {partition}")
        return partition

    @property
    def day(self) -> date:
        """The UTC day of extraction (the key's ``dt=`` folder)."""
        day = parse_day(self.partition["dt"])
        assert day is not None  # validated
        return day

    def attributes(self) -> dict[str, str]:
        """``table``: the attribute every producer of table-file messages sets."""
        return {"table": self.table}


M = TypeVar("M", bound=BaseModel)


def parse_message(model: type[M], body: str) -> M:
    """Validate a JSON body; a body that does not fit is a ``PermanentError``."""
    try:
        return model.model_validate_json(body)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'body'}: {e['msg']}" for e in error.errors()
        )
        raise PermanentError(f"invalid {model.__name__} message: {problems}") from error


def extracted_at(metadata: Mapping[str, str], last_modified: datetime) -> datetime:
    """The extraction time: the object's ``extracted-at`` metadata, else its LastModified."""
    stored = metadata.get(EXTRACTED_AT_METADATA)
    if stored:
        try:
            parsed = datetime.fromisoformat(stored)
        except ValueError:
            parsed = None
        if parsed is not None and parsed.tzinfo is not None:
            return parsed
    return last_modified.astimezone(UTC)


def raw_message(bucket: str, key: str, extracted: datetime, run_id: str) -> RawObjectWritten:
    """The ``RawObjectWritten`` for raw object ``key``: what the extractor sends, rebuilt."""
    parts = parse_raw_key(key)
    if parts is None:
        raise ValueError(f"{key!r} is not a raw object key (raw/source=<source>/...json)")
    return RawObjectWritten(
        bucket=bucket,
        key=key,
        source=parts.source,
        entity_id=parts.entity_id,
        snapshot_id=parts.snapshot_id,
        page=parts.page,
        run_id=run_id,
        extracted_at=extracted,
        user_id=parts.user_id,
    )


def table_file_message(
    bucket: str, key: str, rows: int, source_key: str, written_at: datetime
) -> TableFileWritten:
    """The ``TableFileWritten`` for curated file ``key``: table and partition from the key."""
    parts = parse_curated_key(key)
    if parts is None:
        raise ValueError(f"{key!r} is not a curated file key (curated/<table>/dt=<day>/...parquet)")
    return TableFileWritten(
        table=parts.table,
        bucket=bucket,
        key=key,
        partition={"dt": parts.day.isoformat()},
        rows=rows,
        schema_version=TABLES[parts.table].schema_version,
        source_key=source_key,
        written_at=written_at,
    )

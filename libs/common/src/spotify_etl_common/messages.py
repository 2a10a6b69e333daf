"""Message contracts between the services.

Producer and consumer import the same model. Every body carries ``version``;
a body that fails validation is poison and goes to the dead-letter queue.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal, TypeVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from spotify_etl_common.errors import PermanentError
from spotify_etl_common.sources import Source

__all__ = ["RawObjectWritten", "Source", "TableFileWritten", "parse_message"]


class _Message(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


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


class TableFileWritten(_Message):
    """The transformer wrote one Parquet file of one table."""

    version: Literal[1] = 1
    table: NonEmpty
    bucket: NonEmpty
    key: NonEmpty
    partition: dict[str, str]
    """Hive partition values of the file, e.g. ``{"dt": "2026-11-24"}``."""
    rows: int = Field(ge=0)
    schema_version: int = Field(ge=1)
    source_key: NonEmpty
    """The raw object the file was made from (lineage)."""
    written_at: datetime | None = None


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

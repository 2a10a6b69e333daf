"""Pure core of replay: which objects a range selects, and what each object's message needs.

Raw objects rebuild ``RawObjectWritten`` messages (transform stage); curated
Parquet files rebuild ``TableFileWritten`` messages (catalog stage), with the
builders and key parsers of :mod:`spotify_etl_common.messages` and
:mod:`spotify_etl_common.keys`, the ones the services use. Keys are
deterministic, so a replayed message makes its consumer overwrite the same
objects: replaying a range twice leaves the tables as replaying it once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from spotify_etl_common.keys import (
    CURATED_PREFIX,
    RAW_PREFIX,
    parse_curated_key,
    parse_raw_key,
    source_prefix,
    table_prefix,
)
from spotify_etl_common.messages import SOURCE_KEY_METADATA, Source
from spotify_etl_common.tables import TABLES

from spotify_etl.replay.stage import Stage


@dataclass(frozen=True)
class DateRange:
    """Inclusive UTC day range; an open end is unbounded."""

    since: date | None = None
    until: date | None = None

    def __post_init__(self) -> None:
        if self.since and self.until and self.since > self.until:
            raise ValueError(
                f"--since {self.since} is after --until {self.until}: swap them or widen the range"
            )

    def contains(self, day: date) -> bool:
        """Whether ``day`` lies in the range."""
        return (self.since is None or day >= self.since) and (
            self.until is None or day <= self.until
        )


def listing_prefix(
    stage: Stage, source: Source | None = None, table: str | None = None, prefix: str | None = None
) -> str:
    """The S3 prefix to list for a stage, narrowed by source, table or an explicit prefix."""
    if stage is Stage.TRANSFORM:
        if table is not None:
            raise ValueError("--table selects curated files: use it with --stage catalog")
        root = source_prefix(source) if source is not None else RAW_PREFIX
    else:
        if source is not None:
            raise ValueError("--source selects raw objects: use it with --stage transform")
        if table is not None and table not in TABLES:
            raise ValueError(
                f"unknown table {table!r}: expected one of {', '.join(sorted(TABLES))}"
            )
        root = table_prefix(table) if table is not None else CURATED_PREFIX
    if prefix is None:
        return root
    if not (prefix.startswith(root) or root.startswith(prefix)):
        raise ValueError(
            f"--prefix {prefix!r} is outside {root!r}: the {stage} stage replays objects under it"
        )
    return prefix if prefix.startswith(root) else root


def object_day(stage: Stage, key: str, last_modified: datetime) -> date | None:
    """The UTC day a range filter compares: ``dt=`` when the key has it, else LastModified's.

    None means the key is not an object of the stage (it is skipped and counted).
    """
    if stage is Stage.TRANSFORM:
        raw = parse_raw_key(key)
        if raw is None:
            return None
        return raw.day or last_modified.astimezone(UTC).date()
    curated = parse_curated_key(key)
    return curated.day if curated is not None else None


def replay_run_id(now: datetime) -> str:
    """Run id of a replay, e.g. ``replay-20261124T011500Z``."""
    return "replay-" + now.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def source_key_of(key: str, metadata: Mapping[str, str], lineage: Sequence[str]) -> str:
    """The raw key a curated file was made from, as well as it can be recovered.

    In order: the ``source-key`` object metadata if a writer stored it; the file
    name of a batch file (``batch-<digest>``, what the transformer announces for
    those); the one distinct ``source_key`` lineage value of the file's rows;
    else the curated key itself (an empty file made from an unknown raw key).
    """
    stored = metadata.get(SOURCE_KEY_METADATA)
    if stored:
        return stored
    name = key.rsplit("/", 1)[-1].removesuffix(".parquet")
    if name.startswith("batch-"):
        return name
    distinct = set(lineage)
    if len(distinct) == 1:
        return distinct.pop()
    return key


def group_of(stage: Stage, key: str) -> str:
    """The source (transform) or table (catalog) a key belongs to, for the summary."""
    if stage is Stage.TRANSFORM:
        raw = parse_raw_key(key)
        return str(raw.source) if raw else "?"
    curated = parse_curated_key(key)
    return curated.table if curated else "?"

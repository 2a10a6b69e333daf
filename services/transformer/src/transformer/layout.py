"""Where curated rows go: one Parquet file per table per raw object, at a deterministic key.

Plan (:func:`plan_files`: a frame per table per raw object), then encode
(:func:`encode`: the Parquet bytes and the key they give). The key is a pure
function of the table, the UTC day of extraction, the raw key and the file's
bytes (:func:`spotify_etl_common.keys.curated_key`): a replay whose transform
gives the same bytes overwrites the same object with them, and one that gives
other bytes writes another key, so a file an Iceberg snapshot references is
never changed under it. Parquet is written deterministically (the same frame
always gives the same bytes).

Bulk backfills may instead write one file per table per batch of raw objects
(:func:`plan_batch_files`): far fewer, larger files, named by a digest of the
batch's raw keys and of their bytes, so a re-run over the same files in the same
batches overwrites them too.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Final, Literal

import polars as pl
from spotify_etl_common.keys import batch_curated_key, batch_name, curated_key, partition_values
from spotify_etl_common.source_tables import TABLES_OF

from transformer.core import Transformed
from transformer.schemas import empty

COMPRESSION: Final[Literal["zstd"]] = "zstd"
COMPRESSION_LEVEL: Final = 1
"""zstd level 1: about a third less CPU per written file than the default (3), files 0-5 %
larger (measured on the benchmark corpus)."""


@dataclass(frozen=True, slots=True)
class TableFile:
    """The rows of one table made from one raw object (or one batch of them)."""

    table: str
    day: date
    """UTC day of extraction: the key's ``dt=`` folder."""
    source_key: str
    """The raw key, or for a batch file ``batch-<digest>``."""
    frame: pl.DataFrame
    batch: tuple[str, ...] = ()
    """The raw keys of a batch file (empty for a file of one raw object)."""

    def key(self, content: bytes) -> str:
        """Where the file goes once encoded as ``content``."""
        if self.batch:
            return batch_curated_key(self.table, self.day, self.batch, content)
        return curated_key(self.table, self.day, self.source_key, content)


@dataclass(frozen=True, slots=True)
class CuratedFile:
    """A table file encoded: its Parquet bytes and the key they give."""

    table: str
    key: str
    source_key: str
    rows: int
    data: bytes

    @property
    def partition(self) -> dict[str, str]:
        """The key's folder as a partition value (``dt``)."""
        return partition_values(self.key)


def encode(file: TableFile) -> CuratedFile:
    """``file`` as Parquet bytes at its key (pure: the same frame gives the same file)."""
    data = parquet_bytes(file.frame)
    return CuratedFile(file.table, file.key(data), file.source_key, file.frame.height, data)


def plan_files(transformed: Transformed, extracted_at: Mapping[str, datetime]) -> list[TableFile]:
    """Every file to write: for each raw object, one per table its source yields."""
    groups = {
        table: frame.partition_by("source_key", as_dict=True, maintain_order=True)
        for table, frame in transformed.tables.items()
    }
    files = []
    for source_key, source in transformed.sources.items():
        day = extracted_at[source_key].astimezone(UTC).date()
        for table in TABLES_OF[source]:
            frame = groups.get(table, {}).get((source_key,))
            rows = frame if frame is not None else empty(table)
            files.append(TableFile(table, day, source_key, rows))
    return files


def plan_batch_files(transformed: Transformed) -> list[TableFile]:
    """One file per table, extraction day and user for all raw objects of ``transformed``.

    A file lies in one partition of its table (an Iceberg data file must: ``add_files``
    reads the partition from its column statistics), so rows are grouped by the day of
    ``extracted_at`` and, in user-scoped tables, by ``user_id``. Tables without rows
    get no file. ``source_key`` of each file is the batch's name (``batch-<digest>``);
    every row still carries its own raw key.
    """
    sources = tuple(sorted(transformed.sources))
    name = batch_name(sources)
    files = []
    for table, frame in transformed.tables.items():
        if frame.height == 0:
            continue
        keys = [pl.col("extracted_at").dt.date().alias("_dt")]
        if "user_id" in frame.columns:
            keys.append(pl.col("user_id").alias("_user"))
        grouped = frame.with_columns(keys).partition_by(
            [k.meta.output_name() for k in keys], as_dict=True, maintain_order=True
        )
        for values, rows in grouped.items():
            day = values[0]
            assert isinstance(day, date)
            files.append(
                TableFile(table, day, name, rows.drop("_dt", "_user", strict=False), batch=sources)
            )
    return files


def parquet_bytes(frame: pl.DataFrame) -> bytes:
    """``frame`` as a zstd-compressed Parquet file with column statistics (which Iceberg
    reads the partition and the bounds from); the same frame always gives the same bytes."""
    buffer = io.BytesIO()
    frame.write_parquet(buffer, compression=COMPRESSION, compression_level=COMPRESSION_LEVEL)
    return buffer.getvalue()

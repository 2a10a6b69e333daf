"""The I/O shell of replay: list the stage's objects, rebuild their messages, enqueue them."""

from __future__ import annotations

import asyncio
import io
from collections import Counter
from dataclasses import dataclass, field

import polars as pl
from spotify_etl_common.errors import PermanentError
from spotify_etl_common.messages import extracted_at, raw_message, table_file_message
from spotify_etl_common.s3 import ObjectInfo, S3Store
from spotify_etl_common.sqs import OutgoingMessage, SqsQueue

from spotify_etl.replay.plan import DateRange, group_of, object_day, source_key_of
from spotify_etl.replay.stage import Stage
from spotify_etl.terminal import Progress

CHUNK = 50
"""Objects read concurrently (HEAD or GET) before their messages are sent."""


@dataclass
class Selection:
    """The objects of one stage in a range, and what the listing skipped."""

    objects: list[ObjectInfo] = field(default_factory=list)
    listed: int = 0
    skipped_foreign: int = 0
    """Keys under the prefix that are not objects of the stage (not raw JSON / curated Parquet)."""

    def groups(self, stage: Stage) -> dict[str, int]:
        """Selected objects per source (transform) or table (catalog)."""
        return dict(sorted(Counter(group_of(stage, o.key) for o in self.objects).items()))


async def select_objects(store: S3Store, stage: Stage, prefix: str, days: DateRange) -> Selection:
    """Every object of ``stage`` under ``prefix`` whose day lies in ``days``."""
    selection = Selection()
    async for info in store.list(prefix):
        selection.listed += 1
        day = object_day(stage, info.key, info.last_modified)
        if day is None:
            selection.skipped_foreign += 1
        elif days.contains(day):
            selection.objects.append(info)
    return selection


def parquet_facts(data: bytes, key: str) -> tuple[int, list[str]]:
    """Row count and distinct ``source_key`` lineage values of a Parquet file."""
    try:
        frame = pl.scan_parquet(io.BytesIO(data))
        rows = int(frame.select(pl.len()).collect().item())
        if "source_key" not in frame.collect_schema().names():
            return rows, []
        lineage = frame.select(pl.col("source_key").unique()).collect().to_series()
    except Exception as error:  # polars raises several types for a broken file
        raise PermanentError(f"{key} is not a readable Parquet file: {error}") from error
    return rows, [str(v) for v in lineage.drop_nulls().to_list()]


async def build_message(
    store: S3Store, stage: Stage, info: ObjectInfo, run_id: str
) -> OutgoingMessage:
    """The message of one object, read from its metadata (raw) or its footer (curated)."""
    if stage is Stage.TRANSFORM:
        metadata = await store.head(info.key)
        if metadata is None:
            raise PermanentError(f"{store.uri(info.key)} vanished after it was listed")
        when = extracted_at(metadata, info.last_modified)
        message = raw_message(store.bucket, info.key, when, run_id)
        return OutgoingMessage.of(message)
    stored = await store.read(info.key)
    rows, lineage = await asyncio.to_thread(parquet_facts, stored.body, info.key)
    source_key = source_key_of(info.key, stored.metadata, lineage)
    table_file = table_file_message(store.bucket, info.key, rows, source_key, info.last_modified)
    return OutgoingMessage.of(table_file)


async def enqueue(
    store: S3Store,
    queue: SqsQueue,
    stage: Stage,
    objects: list[ObjectInfo],
    run_id: str,
    progress: Progress,
) -> int:
    """Send one message per object, ``CHUNK`` objects at a time; returns the count sent."""
    sent = 0
    for start in range(0, len(objects), CHUNK):
        chunk = objects[start : start + CHUNK]
        messages = await asyncio.gather(
            *(build_message(store, stage, info, run_id) for info in chunk)
        )
        await queue.send(messages)
        sent += len(messages)
        progress.advance(len(messages))
    progress.close()
    return sent

"""The I/O shell of ``status``: queue depths, raw and curated listings, Glue partitions, and
the entities the extractor recorded as gone."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from pydantic import ValidationError
from spotify_etl_common.errors import PermanentError
from spotify_etl_common.glue_reader import GlueReader
from spotify_etl_common.gone import GoneEntities, GoneEntry, gone_key
from spotify_etl_common.keys import partition_values, source_prefix, table_prefix
from spotify_etl_common.messages import Source
from spotify_etl_common.s3 import S3Store
from spotify_etl_common.sqs import SqsQueue
from spotify_etl_common.tables import TABLES

from spotify_etl.status.report import (
    QueueStatus,
    SourceStatus,
    StatusReport,
    TableStatus,
    lag_seconds,
    newest,
    newest_partition,
)
from spotify_etl.status.users import gather_users

if TYPE_CHECKING:
    from types_aiobotocore_sqs import SQSClient


async def queue_status(client: SQSClient, name_or_url: str) -> QueueStatus:
    """Depths of a work queue and of the dead-letter queue its redrive policy names."""
    queue = await SqsQueue.resolve(client, name_or_url)
    depth = await queue.depth()
    dlq = await queue.dead_letter_queue()
    dlq_depth = await dlq.depth() if dlq is not None else None
    return QueueStatus(
        name=queue.name,
        visible=depth.visible,
        in_flight=depth.in_flight,
        delayed=depth.delayed,
        dlq_name=dlq.name if dlq is not None else None,
        dlq_visible=dlq_depth.visible if dlq_depth is not None else 0,
    )


async def source_status(store: S3Store, source: Source) -> SourceStatus:
    """Count and newest LastModified of the raw objects of one source."""
    count = 0
    latest: datetime | None = None
    async for info in store.list(source_prefix(source)):
        count += 1
        latest = newest([latest, info.last_modified])
    return SourceStatus(objects=count, last_extracted_at=latest)


async def table_status(
    store: S3Store, table: str, glue_partitions: Mapping[str, list[str]] | None
) -> TableStatus:
    """Files of one table from the listing; newest partition from Glue when it has the table."""
    count = 0
    latest: datetime | None = None
    days: set[str] = set()
    async for info in store.list(table_prefix(table)):
        if not info.key.endswith(".parquet"):
            continue
        count += 1
        latest = newest([latest, info.last_modified])
        day = partition_values(info.key).get("dt")
        if day:
            days.add(day)
    if glue_partitions is not None and table in glue_partitions:
        return TableStatus(
            files=count,
            newest_partition=newest_partition(glue_partitions[table]),
            newest_file_at=latest,
            partitions_from="glue",
        )
    return TableStatus(
        files=count,
        newest_partition=newest_partition(days),
        newest_file_at=latest,
        partitions_from="curated",
    )


async def gone_entities(store: S3Store) -> list[GoneEntry]:
    """The entities the extractor recorded as gone (its ``entities-gone`` state document)."""
    raw = await store.get_or_none(gone_key())
    if raw is None:
        return []
    try:
        return GoneEntities.model_validate_json(raw).gone()
    except ValidationError as error:
        problems = error.error_count()
        raise PermanentError(
            f"{gone_key()} is unreadable ({problems} problems): delete it to start over"
        ) from None


async def glue_partitions(glue: GlueReader) -> dict[str, list[str]] | None:
    """``dt`` values per table in the Glue database; None if the database does not exist."""
    if not await glue.database_exists():
        return None
    found: dict[str, list[str]] = {}
    for table in TABLES:
        partitions = await glue.partitions(table)
        if partitions is not None:
            found[table] = [values[0] for values in partitions if values]
    return found


async def gather_status(
    sqs: SQSClient,
    store: S3Store,
    glue: GlueReader | None,
    queues: Mapping[str, str],
) -> StatusReport:
    """Read everything the report shows (``queues``: label -> name or URL)."""
    queue_report = dict(
        zip(
            queues,
            await asyncio.gather(*(queue_status(sqs, q) for q in queues.values())),
            strict=True,
        )
    )
    sources = dict(
        zip(
            map(str, Source),
            await asyncio.gather(*(source_status(store, s) for s in Source)),
            strict=True,
        )
    )
    partitions = await glue_partitions(glue) if glue is not None else None
    tables = dict(
        zip(
            TABLES,
            await asyncio.gather(*(table_status(store, t, partitions) for t in TABLES)),
            strict=True,
        )
    )
    now = datetime.now(tz=UTC)
    return StatusReport(
        generated_at=now,
        queues=queue_report,
        sources=sources,
        tables=tables,
        lag_seconds=lag_seconds(sources, tables),
        gone=await gone_entities(store),
        users=await gather_users(store, now),
    )

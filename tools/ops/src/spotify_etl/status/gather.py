"""The I/O shell of ``status``: queue depths, raw and curated listings, the tables' figures,
the entities the extractor recorded as gone, and each user's last run."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from pydantic import ValidationError
from spotify_etl_common.errors import PermanentError
from spotify_etl_common.gone import GoneEntities, GoneEntry, gone_key
from spotify_etl_common.keys import source_prefix, table_prefix
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
)
from spotify_etl.status.users import gather_users

if TYPE_CHECKING:
    from spotify_etl_lake.glue_tables import TableKind
    from spotify_etl_lake.stats import TableStats
    from types_aiobotocore_sqs import SQSClient

LakeFigures = Callable[[str], "tuple[TableKind, TableStats | None]"]
"""A table's kind and Iceberg figures by name (blocking: pyiceberg is synchronous)."""


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


async def table_status(store: S3Store, table: str, figures: LakeFigures | None) -> TableStatus:
    """The table's Iceberg figures (read in a thread), and its Parquet objects in S3."""
    count = 0
    latest: datetime | None = None
    async for info in store.list(table_prefix(table)):
        if info.key.endswith(".parquet"):
            count += 1
            latest = newest([latest, info.last_modified])
    kind, stats = await asyncio.to_thread(figures, table) if figures else ("absent", None)
    if stats is None:
        return TableStatus(format=kind, files=count, newest_file_at=latest)
    return TableStatus(
        format=kind,
        snapshots=stats.snapshots,
        data_files=stats.data_files,
        data_bytes=stats.data_bytes,
        average_file_bytes=stats.average_file_bytes,
        last_commit_at=stats.last_commit_at,
        last_maintenance=stats.last_maintenance,
        files=count,
        newest_file_at=latest,
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


async def gather_status(
    sqs: SQSClient,
    store: S3Store,
    figures: LakeFigures | None,
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
    tables = dict(
        zip(
            TABLES,
            await asyncio.gather(*(table_status(store, t, figures) for t in TABLES)),
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

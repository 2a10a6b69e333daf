"""The cataloger's core: a batch of file messages -> one catalog update per table.

Gather (the batch, and what S3 says of each announced file:
:mod:`cataloger.files`), decide (:func:`plan.check_message`,
:func:`files.file_problem`, :func:`plan.coalesce`), apply (Glue tables and
partitions, the crawler once per burst, views when a table changed). A message
whose file is missing or not Parquet fails alone, permanently; nothing is
registered for it.
Each message's ``message.handled`` line names its table and partition; the
batch's figures (tables, new partitions, tables changed) are on its one
``batch.handled`` line.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from spotify_etl_common.errors import SpotifyEtlError
from spotify_etl_common.logs import get_logger
from spotify_etl_common.messages import TableFileWritten
from spotify_etl_common.sqs import ReceivedMessage
from spotify_etl_common.tables import Table
from spotify_etl_common.worker import BatchOutcome
from spotify_etl_common.worker_line import line_of

from cataloger.crawler import CrawlerRunner
from cataloger.definitions import Projection, partition_input, table_input
from cataloger.files import CuratedFiles
from cataloger.glue_catalog import GlueCatalog, TableChange
from cataloger.plan import check_message, coalesce
from cataloger.publisher import ViewPublisher

if TYPE_CHECKING:
    from types_aiobotocore_glue.type_defs import TableInputTypeDef

log = get_logger(__name__)


@dataclass(frozen=True)
class CatalogOptions:
    """Choices that shape what the cataloger writes."""

    bucket: str
    projection: Projection | None = None
    """Partition projection instead of added partitions."""


class Cataloger:
    """Keeps the Glue catalog (and the views) in line with the curated files."""

    def __init__(
        self,
        catalog: GlueCatalog,
        options: CatalogOptions,
        tables: Mapping[str, Table],
        files: CuratedFiles,
        crawler: CrawlerRunner | None = None,
        publisher: ViewPublisher | None = None,
    ) -> None:
        self.catalog = catalog
        self.files = files
        self.options = options
        self.tables = dict(tables)
        self.crawler = crawler
        self.publisher = publisher

    def _table_input(self, table: Table) -> TableInputTypeDef:
        return table_input(self.options.bucket, table, self.options.projection)

    async def start(self) -> dict[str, str]:
        """Ensure the database and every declared table; publish the views once."""
        await self.catalog.ensure_database("spotify-etl curated tables and views")
        changes = {
            name: str(await self.catalog.ensure_table(self._table_input(table)))
            for name, table in sorted(self.tables.items())
        }
        if self.publisher is not None:
            await self.publisher.publish()
        log.info("catalog.ready", database=self.catalog.database, tables=changes)
        return changes

    async def handle_batch(
        self, items: Sequence[tuple[TableFileWritten, ReceivedMessage]]
    ) -> BatchOutcome:
        """Coalesce the batch, update each table once, run the crawler and views once."""
        failures: dict[str, SpotifyEtlError] = {}
        checked: list[tuple[TableFileWritten, ReceivedMessage]] = []
        for message, received in items:
            line_of(received).add(table=message.table, partition=dict(message.partition))
            try:
                check_message(message, self.tables, self.options.bucket)
            except SpotifyEtlError as error:
                failures[received.message_id] = error
                continue
            checked.append((message, received))

        # Nothing is registered for a file that is not there, or not Parquet.
        probes = await asyncio.gather(
            *(self.files.check(message) for message, _ in checked), return_exceptions=True
        )
        ids_by_table: dict[str, list[str]] = {}
        valid: list[TableFileWritten] = []
        for (message, received), probed in zip(checked, probes, strict=True):
            if isinstance(probed, SpotifyEtlError):
                failures[received.message_id] = probed
                continue
            if isinstance(probed, BaseException):
                raise probed
            valid.append(message)
            ids_by_table.setdefault(message.table, []).append(received.message_id)

        changed: list[str] = []
        new_partitions = 0
        done: list[str] = []
        for plan in coalesce(valid, self.tables):
            try:
                change = await self.catalog.ensure_table(self._table_input(plan.table))
                if change is not TableChange.UNCHANGED:
                    changed.append(plan.table.name)
                if self.options.projection is None:
                    inputs = [
                        partition_input(self.options.bucket, plan.table, p)
                        for p in plan.partition_dicts()
                    ]
                    new_partitions += await self.catalog.add_partitions(plan.table.name, inputs)
            except SpotifyEtlError as error:
                for message_id in ids_by_table[plan.table.name]:
                    failures[message_id] = error
                continue
            done.append(plan.table.name)

        if done and self.crawler is not None:
            try:
                await self.crawler.run()
                for name in sorted(self.tables):
                    change = await self.catalog.ensure_table(self._table_input(self.tables[name]))
                    if change is TableChange.CREATED:
                        changed.append(name)
            except SpotifyEtlError as error:
                for name in done:
                    for message_id in ids_by_table[name]:
                        failures[message_id] = error
                done = []

        if changed and self.publisher is not None:
            await self._publish_views()
        return BatchOutcome(
            failures=failures,
            summary={
                "tables": done,
                "new_partitions": new_partitions,
                "tables_changed": sorted(set(changed)),
            },
        )

    async def _publish_views(self) -> None:
        assert self.publisher is not None
        try:
            await self.publisher.publish()
        except SpotifyEtlError as error:
            # The catalog itself is right; a broken view must not hold files back.
            log.error("views.publish_failed", reason=error.reason)

"""The cataloger's core: a batch of file messages -> one Iceberg commit per table.

Gather (the batch, and what S3 says of each announced file:
:mod:`cataloger.files`), decide (:func:`plan.check_message`,
:func:`files.file_problem`, :func:`plan.coalesce`), apply (per table one
transaction that replaces the rows of the batch's raw objects with their new
files: :mod:`cataloger.committer`; the optional raw-zone crawler started once
per burst; views when a table was made). A message whose file is missing or not
Parquet fails alone, permanently; nothing is committed for it. A table that
refuses a file fails only the messages of that file's raw object.
Each message's ``message.handled`` line names its table and partition; the
batch's figures (tables, sources, files, commit attempts) are on its one
``batch.handled`` line.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence

from spotify_etl_common.errors import PermanentError, SpotifyEtlError
from spotify_etl_common.logs import get_logger
from spotify_etl_common.messages import TableFileWritten
from spotify_etl_common.sqs import ReceivedMessage
from spotify_etl_common.tables import Table
from spotify_etl_common.worker import BatchOutcome
from spotify_etl_common.worker_line import line_of
from spotify_etl_lake.tables import TableChange

from cataloger.committer import LakeCommitter, Replaced
from cataloger.crawler import CrawlerRunner
from cataloger.files import CuratedFiles
from cataloger.plan import TablePlan, check_message, coalesce
from cataloger.publisher import ViewPublisher

log = get_logger(__name__)

Ids = dict[tuple[str, str], list[str]]
"""Message ids per (table, raw key): whose messages a commit's outcome settles."""


class Cataloger:
    """Keeps the Iceberg tables (and the views) in line with the curated files."""

    def __init__(
        self,
        committer: LakeCommitter,
        bucket: str,
        tables: Mapping[str, Table],
        files: CuratedFiles,
        crawler: CrawlerRunner | None = None,
        publisher: ViewPublisher | None = None,
        commit_concurrency: int = 4,
    ) -> None:
        self.committer = committer
        self.commit_concurrency = commit_concurrency
        self.bucket = bucket
        self.files = files
        self.tables = dict(tables)
        self.crawler = crawler
        self.publisher = publisher

    async def start(self) -> dict[str, str]:
        """Ensure the database and every declared table; publish the views once."""
        changes = await self.committer.ensure(self.tables)
        if self.publisher is not None:
            await self.publisher.publish()
        log.info("catalog.ready", database=self.committer.lake.database, tables=changes)
        return changes

    async def handle_batch(
        self, items: Sequence[tuple[TableFileWritten, ReceivedMessage]]
    ) -> BatchOutcome:
        """Coalesce the batch, commit each table once, start the crawler and views once."""
        failures: dict[str, SpotifyEtlError] = {}
        checked: list[tuple[TableFileWritten, ReceivedMessage]] = []
        for message, received in items:
            line_of(received).add(table=message.table, partition=dict(message.partition))
            try:
                check_message(message, self.tables, self.bucket)
            except SpotifyEtlError as error:
                failures[received.message_id] = error
                continue
            checked.append((message, received))

        # Nothing is committed for a file that is not there, or not Parquet.
        probes = await asyncio.gather(
            *(self.files.check(message) for message, _ in checked), return_exceptions=True
        )
        ids: Ids = {}
        valid: list[TableFileWritten] = []
        for (message, received), probed in zip(checked, probes, strict=True):
            if isinstance(probed, SpotifyEtlError):
                failures[received.message_id] = probed
                continue
            if isinstance(probed, BaseException):
                raise probed
            valid.append(message)
            ids.setdefault((message.table, message.source_key), []).append(received.message_id)

        # Tables are independent: their commits run side by side (a few threads).
        plans = coalesce(valid, self.tables)
        limit = asyncio.Semaphore(self.commit_concurrency)

        async def commit(plan: TablePlan) -> list[Replaced]:
            async with limit:
                return await self._commit(plan, ids, failures)

        done: list[str] = []
        changed: list[str] = []
        replaced: list[Replaced] = []
        for plan, outcomes in zip(plans, await asyncio.gather(*map(commit, plans)), strict=True):
            if outcomes:
                done.append(plan.table.name)
            replaced.extend(outcomes)
            if any(r.change is TableChange.CREATED for r in outcomes):
                changed.append(plan.table.name)

        if done and self.crawler is not None:
            await self._start_crawler()
        if changed and self.publisher is not None:
            await self._publish_views()
        return BatchOutcome(
            failures=failures,
            summary={
                "tables": done,
                "sources": sum(r.sources for r in replaced),
                "files_added": sum(r.files for r in replaced),
                "commit_attempts": sum(r.attempts for r in replaced),
                "tables_changed": changed,
            },
        )

    async def _commit(
        self, plan: TablePlan, ids: Ids, failures: dict[str, SpotifyEtlError]
    ) -> list[Replaced]:
        """Commit ``plan``; a file the table refuses fails only its raw object's messages."""

        def fail(failed: TablePlan, error: SpotifyEtlError) -> None:
            for source in failed.sources:
                for message_id in ids[(plan.table.name, source)]:
                    failures[message_id] = error

        try:
            return [await self.committer.replace(plan)]
        except PermanentError as error:
            if len(plan.sources) == 1:
                fail(plan, error)
                return []
        except SpotifyEtlError as error:
            fail(plan, error)
            return []
        # Which raw object's file is it? Each alone: the others still land.
        outcomes = []
        for single in plan.split():
            try:
                outcomes.append(await self.committer.replace(single))
            except SpotifyEtlError as error:
                fail(single, error)
        return outcomes

    async def _start_crawler(self) -> None:
        assert self.crawler is not None
        try:
            await self.crawler.start()
        except SpotifyEtlError as error:
            # The tables are committed; the raw zone's crawl is a convenience.
            log.error("crawler.failed", crawler=self.crawler.spec.name, reason=error.reason)

    async def _publish_views(self) -> None:
        assert self.publisher is not None
        try:
            await self.publisher.publish()
        except SpotifyEtlError as error:
            # The tables themselves are right; a broken view must not hold files back.
            log.error("views.publish_failed", reason=error.reason)

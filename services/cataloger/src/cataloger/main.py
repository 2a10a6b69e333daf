"""Composition root of the cataloger: settings, clients, the lake's catalog, worker."""

from __future__ import annotations

import asyncio
import sys
from contextlib import AsyncExitStack

from spotify_etl_common.athena import AthenaQueries
from spotify_etl_common.aws import athena_client, glue_client, s3_client, sqs_client
from spotify_etl_common.errors import SpotifyEtlError
from spotify_etl_common.logs import configure_logging, get_logger
from spotify_etl_common.messages import TableFileWritten
from spotify_etl_common.settings import load_settings
from spotify_etl_common.sqs import resolve_queues
from spotify_etl_common.tables import TABLES
from spotify_etl_common.worker import Worker, WorkerStats, serve
from spotify_etl_lake.catalog import Lake, open_catalog
from spotify_etl_lake.commit import RetryPolicy
from spotify_etl_views import load_views

from cataloger.committer import LakeCommitter
from cataloger.crawler import CrawlerRunner, crawler_spec
from cataloger.files import CuratedFiles
from cataloger.publisher import ViewPublisher
from cataloger.service import Cataloger
from cataloger.settings import CatalogerSettings

SERVICE = "cataloger"
EXIT_FAILED = 1

log = get_logger(__name__)


async def run(settings: CatalogerSettings) -> WorkerStats:
    """Ensure the tables and views, then consume the catalog queue until stopped or idle."""
    async with AsyncExitStack() as stack:
        sqs = await stack.enter_async_context(sqs_client(settings))
        s3 = await stack.enter_async_context(s3_client(settings))
        queue, dead_letters = await resolve_queues(sqs, settings.catalog_queue)
        publisher = None
        if settings.publish_views:
            athena = await stack.enter_async_context(athena_client(settings))
            queries = AthenaQueries(
                athena,
                settings.database,
                settings.athena_workgroup,
                settings.results_location,
                poll_seconds=settings.athena_poll_seconds,
            )
            publisher = ViewPublisher(queries, load_views())
        crawler = None
        if settings.crawler and settings.crawler_role:
            glue = await stack.enter_async_context(glue_client(settings))
            spec = crawler_spec(
                settings.crawler_name, settings.crawler_role, settings.database, settings.bucket
            )
            crawler = CrawlerRunner(glue, spec)
        committer = LakeCommitter(
            open_catalog(settings),
            Lake(settings.bucket, settings.database),
            RetryPolicy(attempts=settings.commit_attempts),
        )
        cataloger = Cataloger(
            committer,
            settings.bucket,
            TABLES,
            CuratedFiles(s3),
            crawler=crawler,
            publisher=publisher,
        )
        await cataloger.start()
        worker = Worker(
            queue,
            dead_letters,
            TableFileWritten,
            config=settings.worker_config(),
            batch_handler=cataloger.handle_batch,
            service=SERVICE,
        )
        return await serve(worker)


def main() -> None:
    """Entry point ``cataloger`` (``serve``, the default) or ``cataloger maintain``."""
    if sys.argv[1:2] == ["maintain"]:
        from cataloger import maintain_main

        maintain_main.main()
        return
    settings = load_settings(CatalogerSettings)
    configure_logging(SERVICE, settings.log_level)
    try:
        asyncio.run(run(settings))
    except SpotifyEtlError as error:
        # One event on the JSON stream (stdout), one line for people (stderr).
        log.error("cataloger.failed", reason=error.reason)
        print(f"cataloger: {error.reason}", file=sys.stderr)
        sys.exit(EXIT_FAILED)

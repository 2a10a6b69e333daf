"""The raw-zone crawler started once per burst; views published at start and on new tables."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest
from cataloger.committer import LakeCommitter
from cataloger.crawler import CrawlerRunner, crawler_spec
from cataloger.files import CuratedFiles
from cataloger.publisher import ViewPublisher
from cataloger.service import Cataloger
from cataloger.settings import CatalogerSettings
from spotify_etl_common.athena import AthenaQueries
from spotify_etl_common.aws import athena_client
from spotify_etl_common.sources import Source
from spotify_etl_common.tables import TABLES
from spotify_etl_views import load_views

if TYPE_CHECKING:
    from types_aiobotocore_athena import AthenaClient
    from types_aiobotocore_glue import GlueClient

pytestmark = pytest.mark.integration

Batch = Callable[..., Any]


def runner(glue: GlueClient, settings: CatalogerSettings) -> CrawlerRunner:
    spec = crawler_spec(
        f"crawler-{settings.database}",
        "arn:aws:iam::123456789012:role/crawler",
        settings.database,
        settings.bucket,
    )
    return CrawlerRunner(glue, spec)


async def crawls(glue: GlueClient, name: str) -> int:
    return len((await glue.list_crawls(CrawlerName=name))["Crawls"])


async def test_a_burst_starts_the_crawler_once_and_does_not_wait_for_it(
    committer: LakeCommitter,
    files: CuratedFiles,
    glue: GlueClient,
    settings: CatalogerSettings,
    batch: Batch,
    crawl_transition: Callable[[dict[str, Any]], None],
) -> None:
    crawl_transition({"progression": "manual", "times": 1000})  # a crawl that never ends
    crawler = runner(glue, settings)
    cataloger = Cataloger(committer, settings.bucket, TABLES, files, crawler=crawler)
    await cataloger.start()

    first = await cataloger.handle_batch(batch(*[("albums", "2026-11-24")] * 6))
    second = await cataloger.handle_batch(batch(("tracks", "2026-11-24")))

    assert (first.failures, second.failures) == ({}, {})
    assert await crawls(glue, crawler.spec.name) == 1  # the second batch joined the run
    state = (await glue.get_crawler(Name=crawler.spec.name))["Crawler"].get("State")
    assert state == "RUNNING"  # the batches returned while it ran


async def test_the_crawler_covers_each_raw_source_and_no_curated_prefix(
    glue: GlueClient, settings: CatalogerSettings
) -> None:
    crawler = runner(glue, settings)

    await crawler.ensure()
    await crawler.ensure()  # idempotent

    got = (await glue.get_crawler(Name=crawler.spec.name))["Crawler"]
    paths = [t.get("Path") for t in got.get("Targets", {}).get("S3Targets", [])]
    assert paths == [f"s3://{settings.bucket}/raw/source={s}/" for s in sorted(Source, key=str)]
    assert got.get("TablePrefix") == "raw_"


async def view_queries(athena: AthenaClient, workgroup: str) -> list[str]:
    ids = (await athena.list_query_executions(WorkGroup=workgroup))["QueryExecutionIds"]
    queries = []
    for execution_id in ids:
        answer = await athena.get_query_execution(QueryExecutionId=execution_id)
        queries.append(answer["QueryExecution"].get("Query", ""))
    return queries


async def test_views_are_published_at_start_and_when_a_table_is_created_not_per_file(
    committer: LakeCommitter,
    files: CuratedFiles,
    glue: GlueClient,
    settings: CatalogerSettings,
    batch: Batch,
) -> None:
    workgroup = f"wg-{uuid.uuid4().hex[:8]}"
    async with athena_client(settings) as athena:
        await athena.create_work_group(Name=workgroup)
        queries = AthenaQueries(
            athena, settings.database, workgroup, settings.results_location, poll_seconds=0.05
        )
        cataloger = Cataloger(
            committer,
            settings.bucket,
            TABLES,
            files,
            publisher=ViewPublisher(queries, load_views()),
        )
        await cataloger.start()
        names = [v.name for v in load_views()]
        published = await view_queries(athena, workgroup)
        # moto lists executions as run: each view after the views it selects from
        assert [q.split()[4] for q in published] == names
        assert all(q.startswith("CREATE OR REPLACE VIEW ") for q in published)

        await cataloger.handle_batch(batch(*[("albums", "2026-11-24")] * 10))
        assert len(await view_queries(athena, workgroup)) == len(names)

        await glue.delete_table(DatabaseName=settings.database, Name="plays")
        outcome = await cataloger.handle_batch(
            batch(("plays", "2026-11-24"), ("plays", "2026-11-25"))
        )
        assert outcome.summary["tables_changed"] == ["plays"]
        assert len(await view_queries(athena, workgroup)) == 2 * len(names)

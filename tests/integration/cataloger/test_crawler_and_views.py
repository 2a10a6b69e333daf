"""One crawler run per burst with types restored; views published at start and on table changes."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest
from cataloger.crawler import CrawlerRunner, crawler_spec
from cataloger.definitions import table_input
from cataloger.files import CuratedFiles
from cataloger.glue_catalog import GlueCatalog
from cataloger.publisher import ViewPublisher
from cataloger.service import Cataloger, CatalogOptions
from cataloger.settings import CatalogerSettings
from spotify_etl_common.athena import AthenaQueries
from spotify_etl_common.aws import athena_client
from spotify_etl_common.tables import TABLES
from spotify_etl_views import load_views

if TYPE_CHECKING:
    from types_aiobotocore_athena import AthenaClient
    from types_aiobotocore_glue import GlueClient

pytestmark = pytest.mark.integration

Batch = Callable[..., Any]
CRAWL_SECONDS = 2


def runner(glue: GlueClient, settings: CatalogerSettings) -> CrawlerRunner:
    spec = crawler_spec(
        f"crawler-{settings.database}",
        "arn:aws:iam::123456789012:role/crawler",
        settings.database,
        settings.bucket,
        list(TABLES),
    )
    return CrawlerRunner(glue, spec, poll_seconds=0.1, timeout=30)


async def crawls(glue: GlueClient, name: str) -> int:
    return len((await glue.list_crawls(CrawlerName=name))["Crawls"])


async def wait_running(glue: GlueClient, name: str) -> None:
    for _ in range(200):
        try:
            if (await glue.get_crawler(Name=name))["Crawler"].get("State") == "RUNNING":
                return
        except glue.exceptions.EntityNotFoundException:
            pass  # not created yet
        await asyncio.sleep(0.02)
    raise AssertionError("crawler never ran")


async def guess_types_like_a_crawler(glue: GlueClient, settings: CatalogerSettings) -> None:
    declared: Any = table_input(settings.bucket, TABLES["albums"])
    columns = declared["StorageDescriptor"]["Columns"]
    wrong: Any = {
        **declared,
        "StorageDescriptor": {
            **declared["StorageDescriptor"],
            "Columns": [
                {**c, "Type": "bigint"} if c["Name"] == "total_tracks" else c for c in columns
            ],
        },
        "PartitionKeys": [{"Name": "dt", "Type": "date"}],
    }
    await glue.update_table(DatabaseName=settings.database, TableInput=wrong)


async def album_types(glue: GlueClient, settings: CatalogerSettings) -> dict[str, str]:
    table = (await glue.get_table(DatabaseName=settings.database, Name="albums"))["Table"]
    columns = [
        *table.get("StorageDescriptor", {}).get("Columns", []),
        *table.get("PartitionKeys", []),
    ]
    return {c["Name"]: c.get("Type", "") for c in columns}


async def test_a_burst_runs_the_crawler_once_then_restores_the_declared_types(
    files: CuratedFiles,
    glue: GlueClient,
    settings: CatalogerSettings,
    batch: Batch,
    crawl_transition: Callable[[dict[str, Any]], None],
) -> None:
    crawl_transition({"progression": "time", "seconds": CRAWL_SECONDS})
    crawler = runner(glue, settings)
    cataloger = Cataloger(
        GlueCatalog(glue, settings.database),
        CatalogOptions(settings.bucket),
        TABLES,
        files,
        crawler=crawler,
    )
    await cataloger.start()
    burst = batch(*[(t, "2026-11-24") for t in ("albums", "tracks", "plays") for _ in range(6)])

    handling = asyncio.create_task(cataloger.handle_batch(burst))
    await wait_running(glue, crawler.spec.name)
    await guess_types_like_a_crawler(glue, settings)  # what a real crawler may do meanwhile
    outcome = await handling

    assert outcome.failures == {}
    assert await crawls(glue, crawler.spec.name) == 1
    types = await album_types(glue, settings)
    assert (types["total_tracks"], types["dt"]) == ("int", "string")


async def test_a_crawler_already_running_is_waited_for_not_an_error(
    files: CuratedFiles,
    glue: GlueClient,
    settings: CatalogerSettings,
    batch: Batch,
    crawl_transition: Callable[[dict[str, Any]], None],
) -> None:
    crawl_transition({"progression": "time", "seconds": CRAWL_SECONDS})
    crawler = runner(glue, settings)
    cataloger = Cataloger(
        GlueCatalog(glue, settings.database),
        CatalogOptions(settings.bucket),
        TABLES,
        files,
        crawler=crawler,
    )
    await cataloger.start()
    await crawler.ensure()
    await glue.start_crawler(Name=crawler.spec.name)

    outcome = await cataloger.handle_batch(batch(("albums", "2026-11-24")))

    assert outcome.failures == {}
    assert await crawls(glue, crawler.spec.name) == 1
    assert (await glue.get_crawler(Name=crawler.spec.name))["Crawler"].get("State") == "READY"


async def test_the_crawler_covers_every_curated_table_prefix(
    glue: GlueClient, settings: CatalogerSettings
) -> None:
    crawler = runner(glue, settings)
    await crawler.ensure()
    await crawler.ensure()  # idempotent
    got = (await glue.get_crawler(Name=crawler.spec.name))["Crawler"]
    paths = [t.get("Path") for t in got.get("Targets", {}).get("S3Targets", [])]
    assert paths == [f"s3://{settings.bucket}/curated/{t}/" for t in sorted(TABLES)]


async def view_queries(athena: AthenaClient, workgroup: str) -> list[str]:
    ids = (await athena.list_query_executions(WorkGroup=workgroup))["QueryExecutionIds"]
    queries = []
    for execution_id in ids:
        answer = await athena.get_query_execution(QueryExecutionId=execution_id)
        queries.append(answer["QueryExecution"].get("Query", ""))
    return queries


async def test_views_are_published_at_start_and_when_a_table_is_created_not_per_file(
    files: CuratedFiles, glue: GlueClient, settings: CatalogerSettings, batch: Batch
) -> None:
    workgroup = f"wg-{uuid.uuid4().hex[:8]}"
    async with athena_client(settings) as athena:
        await athena.create_work_group(Name=workgroup)
        queries = AthenaQueries(
            athena, settings.database, workgroup, settings.results_location, poll_seconds=0.05
        )
        cataloger = Cataloger(
            GlueCatalog(glue, settings.database),
            CatalogOptions(settings.bucket),
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

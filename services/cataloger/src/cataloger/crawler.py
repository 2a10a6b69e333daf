"""The optional Glue crawler over the raw zone: started once per burst.

Curated tables are Iceberg tables the cataloger commits to; a crawler never
touches them. It crawls the raw responses instead (``s3://BUCKET/raw/``, one
target per source prefix, tables named ``raw_source_<source>``), so they become
queryable in Athena as they land. The cataloger starts a run after a batch it
committed (a run in progress is joined) and does not wait for it: nothing it
commits depends on the crawl.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from spotify_etl_common.aws_errors import ENTITY_NOT_FOUND, translating
from spotify_etl_common.keys import source_prefix
from spotify_etl_common.logs import get_logger
from spotify_etl_common.sources import Source

if TYPE_CHECKING:
    from types_aiobotocore_glue import GlueClient
    from types_aiobotocore_glue.type_defs import CrawlerTypeDef

log = get_logger(__name__)

RAW_TABLE_PREFIX = "raw_"
"""Prefix of the crawler's tables (``raw_source_albums``, ...): apart from the curated ones."""


@dataclass(frozen=True)
class CrawlerSpec:
    """What the crawler should look like."""

    name: str
    role: str
    database: str
    paths: tuple[str, ...]

    def create_kwargs(self) -> dict[str, object]:
        """Arguments of CreateCrawler/UpdateCrawler (pure, tested by equality)."""
        return {
            "Name": self.name,
            "Role": self.role,
            "DatabaseName": self.database,
            "Description": "spotify-etl raw responses (JSON as received), one table per source",
            "Targets": {"S3Targets": [{"Path": p} for p in self.paths]},
            "TablePrefix": RAW_TABLE_PREFIX,
            "SchemaChangePolicy": {"UpdateBehavior": "UPDATE_IN_DATABASE", "DeleteBehavior": "LOG"},
            "RecrawlPolicy": {"RecrawlBehavior": "CRAWL_EVERYTHING"},
            "Configuration": (
                '{"Version":1.0,"CrawlerOutput":{"Partitions":'
                '{"AddOrUpdateBehavior":"InheritFromTable"}},'
                '"Grouping":{"TableGroupingPolicy":"CombineCompatibleSchemas"}}'
            ),
        }

    def matches(self, crawler: CrawlerTypeDef) -> bool:
        """Whether an existing crawler already has this role, database and targets."""
        targets = tuple(t.get("Path", "") for t in crawler.get("Targets", {}).get("S3Targets", []))
        return (
            crawler.get("Role") == self.role
            and crawler.get("DatabaseName") == self.database
            and sorted(targets) == sorted(self.paths)
        )


def crawler_spec(
    name: str, role: str, database: str, bucket: str, sources: Iterable[Source] = Source
) -> CrawlerSpec:
    """A crawler over each source's raw prefix (``s3://BUCKET/raw/source=<source>/``)."""
    return CrawlerSpec(
        name,
        role,
        database,
        tuple(f"s3://{bucket}/{source_prefix(s)}" for s in sorted(sources, key=str)),
    )


class CrawlerRunner:
    """Creates/updates the crawler and starts a run (or finds one running)."""

    def __init__(self, client: GlueClient, spec: CrawlerSpec) -> None:
        self._glue = client
        self.spec = spec

    async def _get(self, action: str) -> CrawlerTypeDef | None:
        with translating(action, missing=ENTITY_NOT_FOUND):
            answer = await self._glue.get_crawler(Name=self.spec.name)
            return answer["Crawler"]
        return None

    async def ensure(self) -> None:
        """Create the crawler, or update it when its role, database or targets changed."""
        kwargs = self.spec.create_kwargs()
        action = f"ensure crawler {self.spec.name}"
        current = await self._get(action)
        with translating(action):
            if current is None:
                await self._glue.create_crawler(**kwargs)  # type: ignore[arg-type]
                log.info("crawler.created", crawler=self.spec.name)
            elif not self.spec.matches(current) and current.get("State") == "READY":
                await self._glue.update_crawler(**kwargs)  # type: ignore[arg-type]
                log.info("crawler.updated", crawler=self.spec.name)

    async def start(self) -> bool:
        """Start a run; False when one was already running (this burst joins it)."""
        await self.ensure()
        with translating(
            f"start crawler {self.spec.name}", tolerated={"CrawlerRunningException"}
        ) as start:
            await self._glue.start_crawler(Name=self.spec.name)
        joined = start.code is not None
        log.info("crawler.joined" if joined else "crawler.started", crawler=self.spec.name)
        return not joined

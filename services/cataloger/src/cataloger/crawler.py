"""The optional Glue crawler: one run per burst, then the declared types restored.

A crawler guesses column types (``dt`` as a date, ints as bigint); after each
run the cataloger puts the declared ``TableInput`` back (see :mod:`drift`).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from spotify_etl_common.aws_errors import ENTITY_NOT_FOUND, translating
from spotify_etl_common.errors import PermanentError, TransientError
from spotify_etl_common.logs import get_logger

from cataloger.definitions import table_location

if TYPE_CHECKING:
    from types_aiobotocore_glue import GlueClient
    from types_aiobotocore_glue.type_defs import CrawlerTypeDef

log = get_logger(__name__)


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
            "Description": "spotify-etl curated Parquet; types are restored by the cataloger",
            "Targets": {"S3Targets": [{"Path": p} for p in self.paths]},
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
    name: str, role: str, database: str, bucket: str, tables: Sequence[str]
) -> CrawlerSpec:
    """A crawler over each curated table's prefix."""
    return CrawlerSpec(
        name, role, database, tuple(table_location(bucket, t) for t in sorted(tables))
    )


class CrawlerRunner:
    """Creates/updates the crawler, runs it once and waits for it."""

    def __init__(
        self, client: GlueClient, spec: CrawlerSpec, poll_seconds: float, timeout: float
    ) -> None:
        self._glue = client
        self.spec = spec
        self._poll = poll_seconds
        self._timeout = timeout

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

    async def run(self) -> str:
        """Start one run (or join the one in progress) and wait until it ends."""
        await self.ensure()
        started = time.monotonic()
        with translating(
            f"start crawler {self.spec.name}", tolerated={"CrawlerRunningException"}
        ) as start:
            await self._glue.start_crawler(Name=self.spec.name)
        joined = start.code is not None
        log.info("crawler.joined" if joined else "crawler.started", crawler=self.spec.name)
        status = await self._wait(started)
        log.info(
            "crawler_finished",
            crawler=self.spec.name,
            status=status,
            joined=joined,
            seconds=round(time.monotonic() - started, 1),
        )
        return status

    async def _wait(self, started: float) -> str:
        while True:
            crawler = await self._get(f"get crawler {self.spec.name}")
            if crawler is None:
                raise PermanentError(f"crawler {self.spec.name} vanished while running")
            if crawler.get("State") == "READY":
                last = crawler.get("LastCrawl", {})
                status = str(last.get("Status", "SUCCEEDED"))
                if status == "FAILED":
                    raise TransientError(
                        f"crawler {self.spec.name} failed: {last.get('ErrorMessage', 'no message')}"
                    )
                return status
            if time.monotonic() - started > self._timeout:
                raise TransientError(
                    f"crawler {self.spec.name} still {crawler.get('State')} after "
                    f"{self._timeout:.0f}s; the batch is retried later"
                )
            await asyncio.sleep(self._poll)

"""The cataloger's Iceberg shell: tables ensured at start, one commit per table per batch.

pyiceberg is synchronous (boto3 for Glue, pyarrow for S3): every call runs in a
thread of its own so the worker's heartbeats and receives go on. The thread is
a daemon: a stop that cancels the batch (past the shutdown grace) does not wait
for a commit stuck on the network. A commit cut off before Glue took it lands
nothing (its files are unreferenced, for maintenance to delete); one that Glue
took is simply done again when the given-back messages return.
Each batch loads the table afresh (one Glue ``GetTable`` and one metadata read)
and commits with :func:`spotify_etl_lake.commit.replace_sources`, which redoes a
commit that lost to another cataloger task or to maintenance.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Mapping
from contextlib import suppress
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from spotify_etl_common.logs import get_logger
from spotify_etl_common.tables import Table
from spotify_etl_lake.catalog import Lake
from spotify_etl_lake.commit import DEFAULT_POLICY, RetryPolicy, replace_sources
from spotify_etl_lake.tables import TableChange, ensure_namespace, ensure_table, load_table

from cataloger.plan import TablePlan

if TYPE_CHECKING:
    from pyiceberg.catalog import Catalog

log = get_logger(__name__)

DATABASE_DESCRIPTION = "spotify-etl curated tables (Apache Iceberg) and views"

T = TypeVar("T")


async def in_daemon_thread(work: Callable[[], T]) -> T:
    """``work()`` in a daemon thread, awaited; cancelling the await abandons the thread."""
    loop = asyncio.get_running_loop()
    done: asyncio.Future[T] = loop.create_future()

    def settle(result: T | None, error: BaseException | None) -> None:
        if done.done():  # cancelled meanwhile: nobody waits for it
            return
        if error is not None:
            done.set_exception(error)
        else:
            done.set_result(result)  # type: ignore[arg-type]

    def run() -> None:
        try:
            result, error = work(), None
        except BaseException as failed:  # handed to the awaiting task
            result, error = None, failed
        with suppress(RuntimeError):  # the loop is closed: the process is stopping
            loop.call_soon_threadsafe(settle, result, error)

    threading.Thread(target=run, name="iceberg", daemon=True).start()
    return await done


@dataclass(frozen=True)
class Replaced:
    """What one table's commit did."""

    sources: int
    files: int
    attempts: int
    """Commits it took (more than 1: it lost to another writer first)."""
    change: TableChange
    """CREATED when the table was gone and had to be made again."""


class LakeCommitter:
    """Commits batches to the lake's Iceberg tables."""

    def __init__(
        self,
        catalog: Catalog,
        lake: Lake,
        policy: RetryPolicy = DEFAULT_POLICY,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.catalog = catalog
        self.lake = lake
        self.policy = policy
        self.sleep = sleep

    async def ensure(self, tables: Mapping[str, Table]) -> dict[str, str]:
        """The database and every declared table (created or evolved); what each needed.

        A Glue table that is not Iceberg raises ``HiveTableError`` (naming the migration).
        """

        def ensure_all() -> dict[str, str]:
            ensure_namespace(self.catalog, self.lake, DATABASE_DESCRIPTION)
            return {
                name: str(ensure_table(self.catalog, self.lake, table).change)
                for name, table in sorted(tables.items())
            }

        return await in_daemon_thread(ensure_all)

    async def replace(self, plan: TablePlan) -> Replaced:
        """One transaction: the plan's sources' rows out of the table, its files in."""
        return await in_daemon_thread(lambda: self._replace(plan))

    def _replace(self, plan: TablePlan) -> Replaced:
        change = TableChange.UNCHANGED
        live = load_table(self.catalog, self.lake, plan.table.name)
        if live is None:  # dropped since start: make it again rather than fail the batch
            ensure_namespace(self.catalog, self.lake, DATABASE_DESCRIPTION)
            ensured = ensure_table(self.catalog, self.lake, plan.table)
            live, change = ensured.table, ensured.change
            log.warning("lake.table_recreated", table=plan.table.name)
        committed = replace_sources(
            live, plan.sources, plan.paths, policy=self.policy, sleep=self.sleep
        )
        return Replaced(len(plan.sources), len(plan.paths), committed.attempts, change)

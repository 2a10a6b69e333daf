"""Athena queries through a workgroup: run, wait, surface Athena's own error text."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from spotify_etl_common.aws_errors import translating
from spotify_etl_common.errors import PermanentError, TransientError
from spotify_etl_common.logs import get_logger

if TYPE_CHECKING:
    from types_aiobotocore_athena import AthenaClient
    from types_aiobotocore_athena.type_defs import GetQueryResultsOutputTypeDef

log = get_logger(__name__)

_TERMINAL = frozenset({"SUCCEEDED", "FAILED", "CANCELLED"})


@dataclass(frozen=True)
class QueryResult:
    """Column names and rows (as strings, None for SQL NULL) of a finished query."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str | None, ...], ...]


def parse_results(pages: list[GetQueryResultsOutputTypeDef]) -> QueryResult:
    """Rows of GetQueryResults pages; the header row of the first page is dropped."""
    columns: tuple[str, ...] = ()
    rows: list[tuple[str | None, ...]] = []
    for index, page in enumerate(pages):
        result = page.get("ResultSet", {})
        if index == 0:
            info = result.get("ResultSetMetadata", {}).get("ColumnInfo", [])
            columns = tuple(c.get("Name", "") for c in info)
        data = result.get("Rows", [])
        for row_index, row in enumerate(data):
            values = tuple(d.get("VarCharValue") for d in row.get("Data", []))
            if index == 0 and row_index == 0 and values == columns:
                continue  # Athena repeats the header as the first row
            rows.append(values)
    return QueryResult(columns, tuple(rows))


class AthenaQueries:
    """Runs SQL in one database through one workgroup.

    A query is polled every ``poll_seconds`` until it ends; one still queued or running
    after ``timeout`` seconds is a ``TransientError``. ``clock`` and ``sleep`` are the
    wait's time (tests pass virtual ones).
    """

    def __init__(
        self,
        client: AthenaClient,
        database: str,
        workgroup: str,
        output_location: str,
        poll_seconds: float = 1.0,
        timeout: float = 600.0,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._athena = client
        self.database = database
        self.workgroup = workgroup
        self.output_location = output_location
        self._poll = poll_seconds
        self._timeout = timeout
        self._clock = clock
        self._sleep = sleep

    async def execute(self, sql: str) -> str:
        """Run ``sql`` and wait; the execution id, or an error with Athena's reason."""
        with translating(f"Athena query in workgroup {self.workgroup}"):
            started = await self._athena.start_query_execution(
                QueryString=sql,
                QueryExecutionContext={"Database": self.database},
                WorkGroup=self.workgroup,
                ResultConfiguration={"OutputLocation": self.output_location},
            )
            execution_id = started["QueryExecutionId"]
            await self._wait(execution_id)
        return execution_id

    async def _wait(self, execution_id: str) -> None:
        began = self._clock()
        while True:
            answer = await self._athena.get_query_execution(QueryExecutionId=execution_id)
            status = answer["QueryExecution"].get("Status", {})
            state = status.get("State", "QUEUED")
            if state in _TERMINAL:
                break
            if self._clock() - began >= self._timeout:
                raise TransientError(
                    f"Athena query {execution_id} still {state} after {self._timeout:.0f}s"
                )
            await self._sleep(self._poll)
        if state != "SUCCEEDED":
            reason = status.get("StateChangeReason") or "no reason given"
            raise PermanentError(f"Athena query {execution_id} {state}: {reason}")

    async def query(self, sql: str) -> QueryResult:
        """Run ``sql`` and read all its rows."""
        execution_id = await self.execute(sql)
        with translating(f"read Athena results {execution_id}"):
            paginator = self._athena.get_paginator("get_query_results")
            pages = [page async for page in paginator.paginate(QueryExecutionId=execution_id)]
        return parse_results(pages)

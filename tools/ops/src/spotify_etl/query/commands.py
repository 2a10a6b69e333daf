"""``spotify-etl query "SQL" [--user NAME]``: DuckDB over the local stack, or Athena; with
``--user`` the statement reads one user's rows only (:mod:`spotify_etl.query.per_user`)."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager

import duckdb
from spotify_etl_common.errors import SpotifyEtlError
from spotify_etl_common.tables import TABLES
from spotify_etl_views import load_views

from spotify_etl.household.users import UserError, user_id_for
from spotify_etl.local.state import find_local_stack
from spotify_etl.query.local_engine import Rows, connect_lake, run_query
from spotify_etl.query.output import render
from spotify_etl.query.per_user import for_user
from spotify_etl.query.target import AthenaTarget, LocalTarget, TargetError, choose_target
from spotify_etl.settings import effective_environment

EXIT_FAILED = 1
LOCAL_SCHEMA = "main"
"""DuckDB's schema of the table and view definitions (``connect`` creates them there)."""


def run_query_command(args: argparse.Namespace) -> int:
    stack = find_local_stack()
    try:
        target = choose_target(os.environ, stack.env() if stack else None, args.athena)
        sql = args.sql
        env = effective_environment(os.environ, stack)
        user_id = asyncio.run(user_id_for(args.user, args.user_id, env))
        if user_id is not None:
            if isinstance(target, LocalTarget):
                sql = for_user(sql, user_id, load_views(), "duckdb", LOCAL_SCHEMA)
            else:
                sql = for_user(sql, user_id, load_views(), "athena", target.database)
        rows = query_local(target, sql) if isinstance(target, LocalTarget) else None
        if isinstance(target, AthenaTarget):
            rows = asyncio.run(query_athena(target, sql))
    except (TargetError, UserError, ValueError) as error:
        print(f"spotify-etl query: {error}", file=sys.stderr)
        return EXIT_FAILED
    except duckdb.Error as error:
        print(f"spotify-etl query: DuckDB: {error}", file=sys.stderr)
        return EXIT_FAILED
    except SpotifyEtlError as error:
        print(f"spotify-etl query: {error.reason}", file=sys.stderr)
        return EXIT_FAILED
    assert rows is not None
    output = render(args.format, rows.columns, rows.rows)
    if output:
        print(output)
    return 0


def query_local(target: LocalTarget, sql: str) -> Rows:
    """Run ``sql`` on DuckDB over the target's lake, with every table and view registered."""
    with local_runner(target) as run:
        return run(sql)


@contextmanager
def local_runner(target: LocalTarget) -> Iterator[Callable[[str], Rows]]:
    """One DuckDB over the target's lake (the tables are read once), running any number of
    queries."""
    with connect_lake(target, TABLES, load_views()) as con:
        yield lambda sql: run_query(con, sql)


async def query_athena(target: AthenaTarget, sql: str) -> Rows:
    """Run ``sql`` on Athena through the target's workgroup."""
    async with athena_runner(target) as run:
        return await run(sql)


@asynccontextmanager
async def athena_runner(target: AthenaTarget) -> AsyncIterator[Callable[[str], Awaitable[Rows]]]:
    """One Athena client through the target's workgroup, running any number of queries
    (concurrently if awaited together); values come back as text, as Athena gives them."""
    # Imported here: the local path needs neither (aiobotocore alone takes a quarter second).
    from spotify_etl_common.athena import AthenaQueries
    from spotify_etl_common.aws import athena_client

    async with athena_client(target) as client:
        queries = AthenaQueries(client, target.database, target.workgroup, target.output_location)

        async def run(sql: str) -> Rows:
            result = await queries.query(sql)
            return Rows(result.columns, result.rows)

        yield run

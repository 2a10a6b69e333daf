"""``spotify-etl query "SQL"``: DuckDB over the local stack, or Athena."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys

import duckdb
from spotify_etl_common.errors import SpotifyEtlError
from spotify_etl_common.tables import TABLES
from spotify_etl_views import load_views

from spotify_etl.local.state import find_local_stack
from spotify_etl.query.local_engine import Rows, connect_lake, run_query
from spotify_etl.query.output import render
from spotify_etl.query.target import AthenaTarget, LocalTarget, TargetError, choose_target

EXIT_FAILED = 1


def run_query_command(args: argparse.Namespace) -> int:
    stack = find_local_stack()
    try:
        target = choose_target(os.environ, stack.env() if stack else None, args.athena)
        rows = query_local(target, args.sql) if isinstance(target, LocalTarget) else None
        if isinstance(target, AthenaTarget):
            rows = asyncio.run(query_athena(target, args.sql))
    except (TargetError, ValueError) as error:
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
    with local_connection(target) as con:
        return run_query(con, sql)


def local_connection(target: LocalTarget) -> duckdb.DuckDBPyConnection:
    """A DuckDB over the target's lake for several queries (the tables are read once);
    use it as a context manager, which closes it."""
    return connect_lake(target, TABLES, load_views())


async def query_athena(target: AthenaTarget, sql: str) -> Rows:
    """Run ``sql`` on Athena through the target's workgroup."""
    # Imported here: the local path needs neither (aiobotocore alone takes a quarter second).
    from spotify_etl_common.athena import AthenaQueries
    from spotify_etl_common.aws import athena_client

    async with athena_client(target) as client:
        queries = AthenaQueries(client, target.database, target.workgroup, target.output_location)
        result = await queries.query(sql)
    return Rows(result.columns, result.rows)

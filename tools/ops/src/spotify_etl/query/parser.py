"""Arguments of ``spotify-etl query`` and ``views`` (light: DuckDB loads when a query runs)."""

from __future__ import annotations

import argparse

from spotify_etl_common.tables import TABLES

from spotify_etl.household.parser import add_user_arguments
from spotify_etl.lazy import lazy
from spotify_etl.query.output import FORMATS

_COMMANDS = "spotify_etl.query.commands"


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``query`` and ``views``."""
    query = commands.add_parser(
        "query",
        help="run SQL over the curated tables and views (DuckDB locally, Athena on AWS)",
        description=(
            "Runs on DuckDB over the local stack's Parquet when `spotify-etl local up` is running "
            "(or AWS_ENDPOINT_URL is set), else on Athena. Tables: "
            + ", ".join(sorted(TABLES))
            + "; views: see `spotify-etl views`."
        ),
    )
    query.add_argument("sql", help='one SQL statement, e.g. "SELECT * FROM songs LIMIT 5"')
    query.add_argument("--format", choices=FORMATS, default="table", help="output format")
    query.add_argument("--athena", action="store_true", help="run on Athena even if local")
    add_user_arguments(query, "read only this user's rows (every view answers for them alone)")
    query.set_defaults(run=lazy(_COMMANDS, "run_query_command"))
    views = commands.add_parser("views", help="list the views with a one-line description")
    views.set_defaults(run=lazy("spotify_etl.query.views_command", "run_views_command"))

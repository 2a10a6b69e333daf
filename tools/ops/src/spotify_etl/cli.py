"""``spotify-etl``: the operator CLI.

Each command group registers its arguments from a light ``parser`` module
(``register(subparsers)``) and names its run function lazily, so building the
parser imports no DuckDB, Polars or AWS client: ``spotify-etl --help`` and a
command that needs none of them start without them. This module only
assembles the parsers and dispatches.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from spotify_etl.dlq import parser as dlq_parser
from spotify_etl.history import parser as history_parser
from spotify_etl.household import parser as household_parser
from spotify_etl.lake import parser as lake_parser
from spotify_etl.local import parser as local_parser
from spotify_etl.pipeline import parser as pipeline_parser
from spotify_etl.query import parser as query_parser
from spotify_etl.replay import parser as replay_parser
from spotify_etl.report import parser as report_parser
from spotify_etl.status import parser as status_parser

COMMAND_MODULES = [
    local_parser,
    pipeline_parser,
    replay_parser,
    dlq_parser,
    status_parser,
    query_parser,
    history_parser,
    report_parser,
    household_parser,
    lake_parser,
]
"""The light modules that register each command group's arguments; a command's own module
(DuckDB, Polars, the AWS clients) is imported only when it runs (:mod:`spotify_etl.lazy`)."""


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser, one sub-command per registered module."""
    parser = argparse.ArgumentParser(
        prog="spotify-etl",
        description="Operate the spotify-etl pipeline: local stack, queries, replay, status.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in COMMAND_MODULES:
        module.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point: parse, run the chosen command, exit with its code."""
    args = build_parser().parse_args(argv)
    code: int = args.run(args)
    sys.exit(code)

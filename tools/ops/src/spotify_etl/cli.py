"""``spotify-etl``: the operator CLI.

Each command group lives in its own module with a ``register(subparsers)``
function; this module only assembles them and dispatches.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from spotify_etl.dlq import commands as dlq_commands
from spotify_etl.history import command as history_command
from spotify_etl.local import commands as local_commands
from spotify_etl.pipeline import commands as pipeline_commands
from spotify_etl.query import commands as query_commands
from spotify_etl.replay import commands as replay_commands
from spotify_etl.status import commands as status_commands

COMMAND_MODULES = [
    local_commands,
    pipeline_commands,
    replay_commands,
    dlq_commands,
    status_commands,
    query_commands,
    history_command,
]


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

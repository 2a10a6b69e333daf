"""Arguments of ``spotify-etl status`` (light: the command's code loads when it runs)."""

from __future__ import annotations

import argparse

from spotify_etl.lazy import lazy

_COMMANDS = "spotify_etl.status.commands"


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``status``."""
    parser = commands.add_parser(
        "status",
        help="queue and DLQ depths, last extraction per source, table figures, lag",
    )
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.set_defaults(run=lazy(_COMMANDS, "run_status"))

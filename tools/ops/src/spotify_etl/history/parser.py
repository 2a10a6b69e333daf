"""Arguments of ``spotify-etl import-history`` (light: the S3 and SQS code loads when it runs)."""

from __future__ import annotations

import argparse
from pathlib import Path

from spotify_etl_common.keys import source_prefix
from spotify_etl_common.sources import Source

from spotify_etl.history.batches import MAX_PLAYS
from spotify_etl.household.parser import add_user_arguments
from spotify_etl.lazy import lazy

PREFIX = source_prefix(Source.STREAMING_HISTORY)
"""Where the imported plays land (and what the command's lines name)."""


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``import-history``."""
    parser = commands.add_parser(
        "import-history",
        help="import Spotify's data export (streaming history) into the lake",
        description=(
            "Import the listening history of Spotify's data export: the zip as downloaded "
            "(Extended streaming history or Account data), an extracted folder, or the JSON "
            "files. Files are recognised by their content; other files of a download are "
            "ignored. IP addresses, user agents and the user name are removed before anything "
            "is stored. Plays land in objects of at most --max-plays plays under "
            f"{PREFIX}user=<uid>/kind=<format>/month=<yyyy-mm>/, keyed by their content: "
            "importing the "
            "same download again writes the same objects. One transform message per object."
        ),
    )
    parser.add_argument("paths", nargs="+", type=Path, help="zip files, folders or JSON files")
    add_user_arguments(
        parser,
        "whose export it is (required when several users are configured; an export whose rows "
        "name another user is refused)",
    )
    parser.add_argument(
        "--max-plays",
        type=_positive,
        default=MAX_PLAYS,
        help=f"plays per raw object at most (default {MAX_PLAYS:,}); part of the keys",
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="read and count, write and send nothing"
    )
    parser.set_defaults(run=lazy("spotify_etl.history.command", "run_import"))


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value

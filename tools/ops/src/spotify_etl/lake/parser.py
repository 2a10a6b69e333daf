"""Arguments of ``maintain`` and ``migrate-tables`` (light: pyiceberg loads when they run)."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from spotify_etl_common.tables import TABLES

from spotify_etl.lazy import lazy

_COMMANDS = "spotify_etl.lake.commands"

MIB = 1024 * 1024
DEFAULT_TARGET_BYTES = 128 * MIB
DEFAULT_RETENTION_DAYS = 7.0
DEFAULT_KEEP_LAST = 5
DEFAULT_ORPHAN_AGE_HOURS = 15 * 24.0
"""Mirrors of the defaults in spotify_etl_lake (a test keeps them equal; importing them here
would load pyiceberg for every command)."""


def _at_least(minimum: float, kind: type[int] | type[float]) -> Callable[[str], float]:
    """An argparse type: a number of ``kind`` no smaller than ``minimum``."""

    def parse(text: str) -> float:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum:g}, got {text}")
        return value

    return parse


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``maintain`` and ``migrate-tables``."""
    maintain = commands.add_parser(
        "maintain",
        help="compact small files, expire old snapshots, delete unreferenced files",
        description=(
            "For each Iceberg table: rewrite every partition holding more than one file below "
            "the target size into files of that size, expire snapshots older than the "
            "retention (keeping the newest few), and delete files no snapshot references once "
            "older than the orphan age. Safe beside a running cataloger: a conflicting commit "
            "is retried on the new table state. Prints what it did per table."
        ),
    )
    maintain.add_argument("--table", choices=sorted(TABLES), help="only this table")
    maintain.add_argument(
        "--target-bytes",
        type=_at_least(1, int),
        default=DEFAULT_TARGET_BYTES,
        metavar="N",
        help="target data file size in bytes (default: 128 MiB)",
    )
    maintain.add_argument(
        "--retention-days",
        type=_at_least(0, float),
        default=DEFAULT_RETENTION_DAYS,
        metavar="D",
        help="expire snapshots older than this many days (default: 7)",
    )
    maintain.add_argument(
        "--keep-last",
        type=_at_least(1, int),
        default=DEFAULT_KEEP_LAST,
        metavar="N",
        help="always keep the newest N snapshots (default: 5)",
    )
    maintain.add_argument(
        "--orphan-age-hours",
        type=_at_least(0, float),
        default=DEFAULT_ORPHAN_AGE_HOURS,
        metavar="H",
        help=(
            "delete unreferenced files only once this old (default: 360, i.e. 15 days: longer "
            "than a message can wait in the catalog queue and its DLQ)"
        ),
    )
    maintain.add_argument("--dry-run", action="store_true", help="show the plan, change nothing")
    maintain.set_defaults(run=lazy(_COMMANDS, "run_maintain"))

    migrate = commands.add_parser(
        "migrate-tables",
        help="turn the Hive tables of an older lake into Iceberg tables, files in place",
        description=(
            "For each curated table that Glue holds as a Hive table (Parquet under "
            "curated/<table>/dt=.../), build an Iceberg table that registers those files "
            "without copying them, then swap the Glue table of that name to it. Running it "
            "again changes nothing; after a crash, running it again finishes the job."
        ),
    )
    migrate.add_argument("--dry-run", action="store_true", help="show the plan, change nothing")
    migrate.set_defaults(run=lazy(_COMMANDS, "run_migrate_tables"))

"""Arguments of ``spotify-etl replay`` (light: the S3 and SQS code loads when it runs)."""

from __future__ import annotations

import argparse

from spotify_etl_common.sources import Source
from spotify_etl_common.tables import TABLES

from spotify_etl.lazy import lazy
from spotify_etl.replay.stage import Stage, parse_day


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``replay``."""
    parser = commands.add_parser(
        "replay",
        help="enqueue the messages of objects already in S3 again (idempotent)",
        description=(
            "List the objects of a stage (raw/ for transform, curated/ for catalog) in a UTC "
            "day range and send their messages to the stage's queue again. Keys are "
            "deterministic, so replaying twice leaves the tables as replaying once. The day of "
            "an object is its dt= partition, else the day of its LastModified."
        ),
    )
    parser.add_argument("--stage", type=Stage, choices=list(Stage), required=True)
    parser.add_argument(
        "--source", type=Source, choices=list(Source), help="transform stage: only this source"
    )
    parser.add_argument(
        "--table", choices=sorted(TABLES), help="catalog stage: only this curated table"
    )
    parser.add_argument("--since", type=parse_day, help="first UTC day, yyyy-mm-dd (inclusive)")
    parser.add_argument("--until", type=parse_day, help="last UTC day, yyyy-mm-dd (inclusive)")
    parser.add_argument("--prefix", help="only keys under this S3 prefix (inside the stage's)")
    parser.add_argument(
        "--dry-run", action="store_true", help="count what would be enqueued, send nothing"
    )
    parser.set_defaults(run=lazy("spotify_etl.replay.commands", "run_replay"))

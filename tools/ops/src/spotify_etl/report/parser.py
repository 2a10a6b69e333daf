"""Arguments of ``spotify-etl report`` (light: DuckDB, Altair and Vega load when it runs)."""

from __future__ import annotations

import argparse
from pathlib import Path

from spotify_etl.lazy import lazy


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``report``."""
    parser = commands.add_parser(
        "report",
        help="write a self-contained HTML page of charts of your listening",
        description=(
            "Write one HTML file of charts over the report views (listening time, top artists "
            "and tracks per year, when you listen, sessions, skips, discoveries, library "
            "growth, taste drift, a year card). It opens offline: every script, style and "
            "datum is inside. Runs on DuckDB over the local stack's Parquet when `spotify-etl "
            "local up` is running (or AWS_ENDPOINT_URL is set), else on Athena; both read the "
            "same views."
        ),
    )
    parser.add_argument("--out", type=Path, required=True, help="the HTML file to write")
    parser.add_argument(
        "--year", type=_year, help="the year of the year card (default: the latest with a play)"
    )
    parser.add_argument(
        "--tz",
        metavar="ZONE",
        help="IANA time zone of days, months and hours, e.g. Europe/Paris (default: this "
        "machine's zone)",
    )
    parser.add_argument("--athena", action="store_true", help="run on Athena even if local")
    parser.set_defaults(run=lazy("spotify_etl.report.commands", "run_report"))


def _year(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"a year such as 2025, got {text!r}") from None
    if not 1900 <= value <= 2200:
        raise argparse.ArgumentTypeError(f"a year such as 2025, got {value}")
    return value

"""Composition root of the transformer: ``transformer [serve]`` or ``transformer transform-files``.

``serve`` (the default) consumes ``RawObjectWritten`` messages from the
transform queue until stopped (or idle, with SPOTIFY_ETL_EXIT_WHEN_IDLE).
``transform-files PATH... --out DIR`` runs the same core over local raw files.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from datetime import datetime
from pathlib import Path

from spotify_etl_common.zips import ZipRefused

from transformer.local_files import DEFAULT_BATCH_SIZE, find_files, transform_files


def _serve() -> int:
    # Imported here: transform-files forks workers, which needs a parent without Polars.
    from spotify_etl_common.errors import SpotifyEtlError
    from spotify_etl_common.logs import configure_logging, get_logger
    from spotify_etl_common.settings import load_settings

    from transformer.handler import SERVICE
    from transformer.service import run_service
    from transformer.settings import TransformerSettings

    settings = load_settings(TransformerSettings)
    configure_logging(SERVICE, settings.log_level)
    try:
        asyncio.run(run_service(settings))
    except SpotifyEtlError as error:
        # Could not start or keep going (no queue, no endpoint): one event, one line for people.
        get_logger(SERVICE).error("transformer.failed", reason=error.reason)
        print(f"transformer: {error.reason}", file=sys.stderr)
        return 1
    return 0


def _transform_files(args: argparse.Namespace) -> int:
    try:
        files = find_files(args.paths)
        started = time.perf_counter()
        outcome = transform_files(
            files, args.out, args.workers, args.batch_size, args.extracted_at, args.per_object
        )
    except (FileNotFoundError, ZipRefused) as error:  # a zip's limits are enforced in workers too
        print(f"transformer: {error}", file=sys.stderr)
        return 2
    seconds = time.perf_counter() - started
    for problem in outcome.errors:
        print(f"transformer: skipped {problem}", file=sys.stderr)
    if outcome.ignored:
        names = ", ".join(name.rsplit("/", 1)[-1] for name in outcome.ignored[:5])
        more = f" and {len(outcome.ignored) - 5} more" if len(outcome.ignored) > 5 else ""
        print(
            f"transformer: ignored {len(outcome.ignored)} files of the download that are not "
            f"streaming history ({names}{more})",
            file=sys.stderr,
        )
    rows = sum(outcome.rows.values())
    print(
        f"{outcome.files} files, {outcome.bytes / 1e6:.1f} MB -> {outcome.written} Parquet files, "
        f"{rows} rows in {seconds:.2f} s ({outcome.bytes / 1e6 / max(seconds, 1e-9):.1f} MB/s, "
        f"{rows / max(seconds, 1e-9):.0f} rows/s); "
        + ", ".join(f"{t}={n}" for t, n in sorted(outcome.rows.items()))
    )
    return 1 if outcome.errors else 0


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="transformer", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("serve", help="consume the transform queue (the default)")
    files = commands.add_parser(
        "transform-files",
        help="transform local raw files, folders or a data-export zip into Parquet",
        description="Transform local raw files or folders into Parquet under OUT; a zip is "
        "read as Spotify's data export (its streaming-history files; the others are ignored). "
        "By default "
        "each batch of --batch-size files becomes one file per table (and extraction day), "
        "OUT/<table>/dt=<day>/batch-<digest>.parquet, named by a digest of the batch's sorted "
        "raw keys: re-running over the same inputs with the same --batch-size overwrites the "
        "same files (a different batch size writes different names: clear OUT first). "
        "--per-object writes the service's layout instead, one file per table per raw file, "
        "which any re-run overwrites.",
    )
    files.add_argument(
        "paths",
        nargs="+",
        type=Path,
        help="raw JSON files, folders of them, or a Spotify data-export zip as downloaded",
    )
    files.add_argument("--out", type=Path, required=True, help="output folder (<table>/dt=.../)")
    files.add_argument("--workers", type=_positive, default=2, help="processes (default 2)")
    files.add_argument(
        "--batch-size",
        type=_positive,
        default=DEFAULT_BATCH_SIZE,
        help=f"files per batch (default {DEFAULT_BATCH_SIZE}); part of the output file names",
    )
    files.add_argument(
        "--extracted-at",
        type=datetime.fromisoformat,
        default=None,
        help="extraction time of every file, ISO-8601 with offset (default: file mtime)",
    )
    files.add_argument(
        "--per-object",
        action="store_true",
        help="one Parquet file per table per raw file (the service's layout; many small "
        "files) instead of one per table per batch",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``transformer`` command."""
    args = _parser().parse_args(argv)
    if args.command == "transform-files":
        if args.extracted_at is not None and args.extracted_at.tzinfo is None:
            print(
                "transformer: --extracted-at needs an offset, e.g. 2026-11-24T00:00:00+00:00",
                file=sys.stderr,
            )
            return 2
        return _transform_files(args)
    return _serve()


if __name__ == "__main__":
    sys.exit(main())

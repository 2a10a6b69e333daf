"""Import a generated data export of N plays (default 250,000) end to end on a local stack.

1. generates an "Extended streaming history" zip of N plays (~10 years at the default
   size, files of 15,000 plays as Spotify splits them);
2. starts a moto server, provisions the bucket and the queues (with their DLQs);
3. runs ``spotify-etl import-history`` on the zip, then the transformer and the
   cataloger until their queues are empty, each as its own process;
4. checks ``distinct_plays`` (count and total ms_played) against the generated plays.

Reports, on stdout, the wall time and the peak RSS (its ``VmHWM``, sampled) of
the import and of the transform+catalog drain. Each drain includes about 2 s of idle
wait before its worker exits. Run it alone: ``make bench-history`` (``PLAYS=2000`` for a
quick check, e.g. ``uv run python -m bench.history_import_bench --plays 2000``).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from fake_spotify.history_export import Play, extended_download, listening
from spotify_etl.local.provision import StackNames, provision
from spotify_etl.local.state import CREDENTIALS, REGION
from spotify_etl.query.local_engine import connect_lake, run_query
from spotify_etl.query.target import LocalTarget
from spotify_etl_common.tables import TABLES
from spotify_etl_views import load_views

from bench.load.servers import Stack
from bench.peak import Measured, run_measured

TEN_YEARS_S = 10 * 365 * 86_400
HISTORY_START = datetime(2016, 1, 1, tzinfo=UTC)


def measure(argv: list[str], env: dict[str, str], log: Path) -> Measured:
    """Run ``argv`` to completion (:func:`bench.peak.run_measured`); exit on failure with
    the tail of its log."""
    measured = run_measured(argv, env, log)
    if measured.returncode != 0:
        sys.exit(f"{argv[0]} exited {measured.returncode}:\n{log.read_text()[-3000:]}")
    return measured


def generated_export(count: int, path: Path) -> tuple[list[Play], Path]:
    """``count`` plays over about ten years that end before today (2016 on), as a real
    download's would, and their "Extended streaming history" zip at ``path``."""
    # mean gap so that the plays span about ten years whatever their number
    gap = max(60.0, TEN_YEARS_S / count - 150)
    plays = listening(count, seed=2026, start=HISTORY_START, mean_gap_s=gap)
    return plays, extended_download(plays, path, "audio", 15_000)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plays", type=int, default=250_000, help="plays in the download")
    parser.add_argument("--max-plays", type=int, default=10_000, help="plays per raw object")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="history-bench-") as scratch:
        work = Path(scratch)
        started = time.perf_counter()
        plays, download = generated_export(args.plays, work / "my_spotify_data.zip")
        print(
            f"generated {len(plays):,} plays ({plays[0].ts:%Y-%m} to {plays[-1].ts:%Y-%m}), "
            f"{download.stat().st_size / 1e6:.1f} MB zip in {time.perf_counter() - started:.1f} s",
            file=sys.stderr,
        )
        stack = Stack.start(work, "history", split=False)
        try:
            names = StackNames.unique()
            provision(stack.client("s3"), stack.client("sqs"), names, REGION)
            env = {
                **os.environ,
                **stack.env(names),
                "CATALOGER_DATABASE": "history_bench",
                "SPOTIFY_ETL_EXIT_WHEN_IDLE": "2",
                "SPOTIFY_ETL_WAIT_SECONDS": "1",
            }
            imported = measure(
                [
                    "spotify-etl",
                    "import-history",
                    str(download),
                    "--max-plays",
                    str(args.max_plays),
                ],
                env,
                work / "import.log",
            )
            transformed = measure(["transformer"], env, work / "transformer.log")
            catalogued = measure(["cataloger"], env, work / "cataloger.log")
            count, total = _distinct_plays(stack.s3_endpoint, names.bucket)
        finally:
            stack.stop()
    expected = (len(plays), sum(p.ms_played for p in plays))
    drain = transformed.seconds + catalogued.seconds
    print(f"plays: {args.plays:,} (objects of at most {args.max_plays:,})")
    print(f"import-history: {imported.seconds:.1f} s, peak RSS {imported.peak_rss_mb:.0f} MB")
    print(
        f"transform+catalog drain: {drain:.1f} s (transformer {transformed.seconds:.1f} s, "
        f"peak RSS {transformed.peak_rss_mb:.0f} MB; cataloger {catalogued.seconds:.1f} s, "
        f"peak RSS {catalogued.peak_rss_mb:.0f} MB)"
    )
    print(
        f"distinct_plays: {count:,} plays, {total:,} ms (expected {expected[0]:,}, {expected[1]:,})"
    )
    return 0 if (count, total) == expected else 1


def _distinct_plays(endpoint: str, bucket: str) -> tuple[int, int]:
    target = LocalTarget(
        endpoint=endpoint,
        bucket=bucket,
        key=CREDENTIALS["AWS_ACCESS_KEY_ID"],
        secret=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        origin="bench",
    )
    with connect_lake(target, TABLES, load_views()) as con:
        [(count, total)] = run_query(
            con, "SELECT count(*), coalesce(sum(ms_played), 0) FROM distinct_plays"
        ).rows
    return int(count), int(total)


if __name__ == "__main__":
    sys.exit(main())

"""Time ``spotify-etl report`` over make run's data plus an imported export of N plays.

1. runs ``spotify-etl run-local`` (make run's job: a local stack, the fake Spotify, the
   extractor, transformer and cataloger) with its state in a scratch folder;
2. generates an "Extended streaming history" export of N plays (default 250,000, about
   ten years: ``bench.history_import_bench``'s generator), imports it, and drains it with
   ``spotify-etl run-local --no-extract``;
3. times ``spotify-etl report --out report.html`` as a process (start-up included) and
   reports its wall time, its CPU time, its peak RSS and the file's size, against the
   targets (30 s, 5 MB); exit 1 if either is missed. The run-local steps write reports
   too, so the Vega bundle is already kept in the state folder's cache, as on any
   report after the first;
4. stops the local stack.

Run it alone: ``make bench-report`` (``PLAYS=2000`` for a quick check, e.g.
``uv run python -m bench.report_bench --plays 2000``).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

from bench.history_import_bench import generated_export, measure

TARGET_SECONDS = 30.0
TARGET_BYTES = 5_000_000


def _children_cpu() -> float:
    """User + system CPU seconds of the children waited for so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plays", type=int, default=250_000, help="plays in the export")
    parser.add_argument("--keep", type=Path, help="copy the report to this path, to look at it")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="report-bench-") as scratch:
        work = Path(scratch)
        env = {**os.environ, "SPOTIFY_ETL_STATE_DIR": str(work / "state")}
        for name in ("AWS_ENDPOINT_URL", "SPOTIFY_CLIENT_ID", "SPOTIFY_CLIENT_SECRET"):
            env.pop(name, None)  # make run's own stack and the fake Spotify
        try:
            made = measure(["spotify-etl", "run-local"], env, work / "run-local.log")
            print(f"make run's job: {made.seconds:.1f} s", file=sys.stderr)
            started = time.perf_counter()
            plays, export = generated_export(args.plays, work / "my_spotify_data.zip")
            print(
                f"generated {len(plays):,} plays ({plays[0].ts:%Y-%m} to {plays[-1].ts:%Y-%m}) "
                f"in {time.perf_counter() - started:.1f} s",
                file=sys.stderr,
            )
            imported = measure(
                ["spotify-etl", "import-history", str(export)], env, work / "import.log"
            )
            drained = measure(["spotify-etl", "run-local", "--no-extract"], env, work / "drain.log")
            print(
                f"import {imported.seconds:.1f} s, transform+catalog {drained.seconds:.1f} s",
                file=sys.stderr,
            )
            out = work / "report.html"
            load_before = os.getloadavg()[0]
            cpu_before = _children_cpu()
            report = measure(["spotify-etl", "report", "--out", str(out)], env, work / "report.log")
            cpu = _children_cpu() - cpu_before
            load_after = os.getloadavg()[0]
            size = out.stat().st_size
            if args.keep:
                shutil.copyfile(out, args.keep)
            summary = (work / "report.log").read_text().strip().splitlines()[-1]
        finally:
            measure(["spotify-etl", "local", "down"], env, work / "down.log")
    print(f"plays imported: {args.plays:,} (plus make run's data)")
    print(
        f"spotify-etl report: {report.seconds:.1f} s wall, {cpu:.1f} s CPU, peak RSS "
        f"{report.peak_rss_mb:.0f} MB (load average {load_before:.1f} before, "
        f"{load_after:.1f} after, on {os.cpu_count()} cores)"
    )
    print(f"file: {size / 1e6:.2f} MB ({size:,} bytes)")
    print(summary)
    ok = report.seconds < TARGET_SECONDS and size < TARGET_BYTES
    print(
        f"targets: under {TARGET_SECONDS:.0f} s and {TARGET_BYTES / 1e6:.0f} MB: "
        f"{'met' if ok else 'MISSED'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

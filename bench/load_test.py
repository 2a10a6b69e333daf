"""Load test: N raw playlist pages through the transform queue with 1, 2 and 4 transformers.

    uv run python -m bench.load_test [--objects 5000] [--processes 1,2,4] [--items 50]

Generates ``--objects`` realistic raw playlist-item pages (both item shapes,
episodes, local files, null tracks; ids repeat across pages), and computes the
rows each curated table must hold from what it generated, independently of the
transformer. Then, for each process count, on a fresh local stack:

1. starts two moto servers, one for S3 and one for SQS (``AWS_ENDPOINT_URL_S3``
   / ``_SQS``), so the emulator can use both cores (``--one-moto`` for one);
2. uploads the pages, provisions the bucket and queues with their DLQs;
3. starts N ``transformer`` processes and feeds the transform queue in a window
   of ``FEED_WINDOW`` messages, pausing while the catalog queue holds more than
   ``CATALOG_BACKLOG`` (moto's every SQS call costs time in proportion to the
   queue's length; real SQS has no such cost);
4. consumes the catalog queue as the cataloger would, counting the messages;
5. times until the transform queue is empty, then reads every curated Parquet
   file back with Polars and checks that no row is missing and none is
   duplicated (natural keys per raw object), and that the DLQ is empty.

Prints two markdown tables: throughput per process count, and where the CPU
went (transformers against the moto servers). Objects/s and rows/s are over the
drain time (first message taken to empty queue); the wall time with process
start-up is beside it. On a small machine the emulator takes more CPU than the
transformers, so the CPU table is what tells the transformer's own cost.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from spotify_etl.local.provision import StackNames

from bench.load.feed import upload
from bench.load.pages import generate
from bench.load.report import cpu_table, table
from bench.load.run import run
from bench.load.servers import Stack


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--objects", type=int, default=5000, help="raw pages (default 5000)")
    parser.add_argument(
        "--items", type=int, default=50, help="items per page (default 50, the /items page size)"
    )
    parser.add_argument(
        "--processes", default="1,2,4", help="transformer counts to try (default 1,2,4)"
    )
    parser.add_argument(
        "--max-in-flight", type=int, default=10, help="SPOTIFY_ETL_MAX_IN_FLIGHT per process"
    )
    parser.add_argument(
        "--one-moto",
        action="store_true",
        help="serve S3 and SQS from one moto process (default: one each, through "
        "AWS_ENDPOINT_URL_S3/_SQS, so the emulator can use two cores)",
    )
    args = parser.parse_args(argv)
    counts = [int(p) for p in args.processes.split(",")]

    work = Path(tempfile.mkdtemp(prefix="spotify-etl-load-"))
    t0 = time.monotonic()
    pages, expected = generate(args.objects, args.items)
    print(
        f"generated {len(pages)} pages ({sum(map(len, pages.values())) / 1e6:.1f} MB) in "
        f"{time.monotonic() - t0:.1f} s; expected rows: {expected.rows}",
        file=sys.stderr,
    )
    results = []
    for processes in counts:
        # A fresh moto server per run: moto slows down as it holds more objects and
        # messages, which would penalise the later runs.
        stack = Stack.start(work, str(processes), split=not args.one_moto)
        try:
            raw_bucket = StackNames.unique("loadraw").bucket
            upload(stack, raw_bucket, pages)
            result = run(
                stack, processes, raw_bucket, sorted(pages), expected, work, args.max_in_flight
            )
        finally:
            stack.stop()
        print(
            f"{processes} transformer(s): {result.seconds:.1f} s, check {result.check}",
            file=sys.stderr,
        )
        results.append(result)
    print(table(results))
    print()
    print(cpu_table(results))
    print(f"\nlogs in {work}", file=sys.stderr)
    return 0 if all(r.ok for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())

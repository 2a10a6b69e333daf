"""``spotify-etl import-history`` on a zip bomb: a clear one-line error, memory flat.

Writes a zip of about 1 MB holding one "streaming history" member of 1 GiB of
zeros (``--gib`` to change), runs ``spotify-etl import-history --dry-run`` on
it in a child process, and reports on stdout its exit code, wall time, peak
RSS (``VmHWM``, as :mod:`bench.history_import_bench` measures it) and its
error line. Exits 1 unless the command refused the zip (exit 2, one line) with
a peak under ``--max-peak-mb``. Before the shared walker's limits
(``spotify_etl_common.zips``) it peaked at 2.1 GB in 8.6 s and said "no
streaming history found". Run it alone: ``make bench-zip-bomb``.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from bench.peak import run_measured

CHUNK = 1 << 20


def write_bomb(path: Path, gib: float) -> Path:
    """A zip with ``gib`` GiB of zeros in one member named like an export file."""
    size = int(gib * (1 << 30))
    with (
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive,
        archive.open(
            "Spotify Extended Streaming History/Streaming_History_Audio_2024.json",
            "w",
            force_zip64=True,
        ) as member,
    ):
        zeros = bytes(CHUNK)
        for _ in range(size // CHUNK):
            member.write(zeros)
        member.write(bytes(size % CHUNK))
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gib", type=float, default=1.0, help="uncompressed GiB in the bomb")
    parser.add_argument(
        "--max-peak-mb", type=float, default=200.0, help="peak RSS (MB) above which it fails"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="zip-bomb-bench-") as scratch:
        work = Path(scratch)
        started = time.perf_counter()
        bomb = write_bomb(work / "my_spotify_data.zip", args.gib)
        print(
            f"bomb: {bomb.stat().st_size / 1e6:.2f} MB zip holding {args.gib:g} GiB of zeros "
            f"(written in {time.perf_counter() - started:.1f} s)",
            flush=True,
        )
        log = work / "import.log"
        measured = run_measured(
            ["spotify-etl", "import-history", "--dry-run", str(bomb)], dict(os.environ), log
        )
        lines = log.read_text().strip().splitlines()
    print(
        f"import-history on the bomb: exit {measured.returncode}, {measured.seconds:.2f} s, "
        f"peak RSS {measured.peak_rss_mb:.0f} MB"
    )
    print("\n".join(f"  {line}" for line in lines))
    refused = measured.returncode == 2 and len(lines) == 1 and "zip bomb" in lines[0]
    flat = measured.peak_rss_mb <= args.max_peak_mb
    if not refused:
        print("FAIL: the bomb was not refused with one line (exit 2)")
    if not flat:
        print(f"FAIL: peak RSS above {args.max_peak_mb:.0f} MB")
    return 0 if refused and flat else 1


if __name__ == "__main__":
    sys.exit(main())

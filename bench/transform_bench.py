"""Benchmark: ``transformer transform-files`` against the seed's pandas transform, same run.

Generates (or reuses) a corpus of playlist-item pages with
``bench.transform_corpus``, then runs, each as its own process on the same
machine one after the other:

1. ``transformer transform-files PAGES --out DIR --workers N`` (Polars; one
   Parquet file per table per batch of files, the default),
2. the same with ``--per-object`` (one file per table per raw file, the
   service's layout), and
3. ``bench.transform_baseline PAGES DIR`` (pandas, one file at a time).

For each it records wall time and the peak resident memory of the whole
process tree (sampled every 20 ms), then checks both Polars outputs' row
counts against the generator's manifest. Load average is printed before and after:
the machine's cores may be shared.

    uv run python -m bench.transform_bench [--size 1GB] [--workers 2] [--work DIR]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import psutil

ROOT = Path(__file__).resolve().parents[1]
"""The repository root: ``python -m bench.<name>`` runs from there."""


@dataclass(frozen=True)
class Run:
    """One measured process."""

    seconds: float
    peak_rss: int
    cpu_seconds: float
    """User + system time of the process tree (last sample of each process)."""
    output: str


def measure(command: list[str]) -> Run:
    """Run ``command``; wall time and peak RSS summed over its process tree."""
    started = time.perf_counter()
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=ROOT
    )
    peak = 0
    cpu: dict[int, float] = {}
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        root = psutil.Process(process.pid)
        while not done.is_set():
            try:
                tree = [root, *root.children(recursive=True)]
                total = 0
                for proc in tree:
                    with contextlib.suppress(psutil.Error):
                        total += proc.memory_info().rss
                        times = proc.cpu_times()
                        cpu[proc.pid] = times.user + times.system
                peak = max(peak, total)
            except psutil.Error:
                pass
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output, _ = process.communicate()
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    if process.returncode != 0:
        raise SystemExit(f"{command[0]} failed ({process.returncode}):\n{output}")
    return Run(seconds, peak, sum(cpu.values()), output.strip())


def count_rows(out: Path) -> dict[str, int]:
    """Rows per table in a ``transform-files`` output folder."""
    return {
        table.name: pl.scan_parquet(table / "**" / "*.parquet").select(pl.len()).collect().item()
        for table in sorted(out.iterdir())
        if table.is_dir()
    }


def corpus(work: Path, size: str, seed: int) -> dict[str, object]:
    """The corpus under ``work/corpus``, generated unless one of this size and seed exists."""
    root = work / "corpus"
    manifest_path = root / "manifest.json"
    stamp = {"size": size, "seed": seed}
    if manifest_path.exists():
        manifest: dict[str, object] = json.loads(manifest_path.read_text())
        if manifest.get("requested") == stamp:
            return manifest
    if root.exists():
        subprocess.run(["rm", "-rf", str(root)], check=True)
    started = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.transform_corpus",
            str(root),
            "--size",
            size,
            "--seed",
            str(seed),
        ],
        check=True,
        cwd=ROOT,
    )
    manifest = json.loads(manifest_path.read_text())
    manifest["requested"] = stamp
    manifest["generated_in_s"] = round(time.perf_counter() - started, 1)
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n")
    print(f"generated {manifest['files']} files in {manifest['generated_in_s']} s")
    return manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="1GB", help="corpus size (default 1GB)")
    parser.add_argument("--workers", type=int, default=2, help="transform-files processes")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--work", type=Path, default=Path("/tmp/spotify-etl-transform-bench"), help="scratch dir"
    )
    parser.add_argument("--skip-baseline", action="store_true", help="only run transform-files")
    args = parser.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    manifest = corpus(args.work, args.size, args.seed)
    pages = args.work / "corpus" / "pages"
    size_mb = int(manifest["bytes"]) / 1e6  # type: ignore[call-overload]
    items = int(manifest["expected_rows"]["playlist_items"])  # type: ignore[index]

    print(f"corpus: {manifest['files']} files, {size_mb:.0f} MB, {items} items")
    print(f"load average before: {os.getloadavg()}, cores: {os.cpu_count()}")
    result: dict[str, object] = {
        "corpus_mb": round(size_mb, 1),
        "files": manifest["files"],
        "items": items,
    }
    matches = {}
    modes: tuple[tuple[str, list[str]], ...] = (
        ("polars", []),
        ("polars_per_object", ["--per-object"]),
    )
    for mode, extra in modes:
        out = args.work / f"out-{mode}"
        subprocess.run(["rm", "-rf", str(out)], check=True)
        command = [sys.executable, "-m", "transformer.main", "transform-files", str(pages)]
        ours = measure([*command, "--out", str(out), "--workers", str(args.workers), *extra])
        rows = count_rows(out)
        matches[mode] = rows == manifest["expected_rows"]
        total_rows = sum(rows.values())
        result[mode] = {
            "seconds": round(ours.seconds, 2),
            "mb_per_s": round(size_mb / ours.seconds, 1),
            "rows": total_rows,
            "rows_per_s": round(total_rows / ours.seconds),
            "items_per_s": round(items / ours.seconds),
            "peak_rss_mb": round(ours.peak_rss / 1e6),
            "cpu_seconds": round(ours.cpu_seconds, 1),
            "workers": args.workers,
            "rows_match_manifest": matches[mode],
        }
        print(f"transform-files {' '.join(extra)}: {ours.output}")
    if not args.skip_baseline:
        baseline_out = args.work / "out-pandas"
        subprocess.run(["rm", "-rf", str(baseline_out)], check=True)
        theirs = measure(
            [sys.executable, "-m", "bench.transform_baseline", str(pages), str(baseline_out)]
        )
        print(theirs.output.splitlines()[-1])
        result["pandas"] = {
            "seconds": round(theirs.seconds, 2),
            "mb_per_s": round(size_mb / theirs.seconds, 1),
            "items_per_s": round(items / theirs.seconds),
            "peak_rss_mb": round(theirs.peak_rss / 1e6),
            "cpu_seconds": round(theirs.cpu_seconds, 1),
        }
        for mode, _ in modes:
            seconds = result[mode]["seconds"]  # type: ignore[index]
            cpu = result[mode]["cpu_seconds"]  # type: ignore[index]
            result[f"speedup_{mode}"] = round(theirs.seconds / seconds, 1)
            result[f"cpu_ratio_{mode}"] = round(theirs.cpu_seconds / max(cpu, 1e-9), 1)
    result["load_average_after"] = os.getloadavg()
    print(json.dumps(result, indent=2))
    (args.work / "result.json").write_text(json.dumps(result, indent=2) + "\n")
    if not all(matches.values()):
        print(f"row counts differ from the manifest: {matches}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

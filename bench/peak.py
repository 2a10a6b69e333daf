"""A command run as a child process: its wall time and peak resident memory (``VmHWM``)."""

from __future__ import annotations

import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import psutil


@dataclass(frozen=True)
class Measured:
    """One process run to completion: its exit code, wall time and peak resident memory."""

    returncode: int
    seconds: float
    peak_rss_mb: float


def run_measured(argv: list[str], env: dict[str, str], log: Path) -> Measured:
    """Run ``argv`` to completion, its stdout and stderr into ``log``.

    The peak is the process's own high-water mark (``VmHWM`` of it and of any child
    it starts, sampled every 20 ms until it exits). Not ``wait4``'s ``ru_maxrss``:
    Linux carries the parent's high-water mark across fork and exec, so every child
    of this (large) benchmark process would report this process's size.
    """
    command = shutil.which(argv[0]) or argv[0]
    started = time.perf_counter()
    peak_kib = 0
    with log.open("w") as out:
        process = subprocess.Popen([command, *argv[1:]], env=env, stdout=out, stderr=out)
        tree = psutil.Process(process.pid)
        while process.poll() is None:
            peak_kib = max(peak_kib, _high_water_kib(tree))
            time.sleep(0.02)
    seconds = time.perf_counter() - started
    return Measured(process.returncode, seconds, peak_kib / 1024)


def _high_water_kib(process: psutil.Process) -> int:
    """Largest ``VmHWM`` (KiB) among ``process`` and its children still running."""
    peak = 0
    try:
        members = [process, *process.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0
    for member in members:
        try:
            status = Path(f"/proc/{member.pid}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                peak = max(peak, int(line.split()[1]))
    return peak

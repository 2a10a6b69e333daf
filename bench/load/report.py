"""The load test's two markdown tables: throughput, and where the CPU went."""

from __future__ import annotations

import os
from collections.abc import Sequence

from bench.load.run import Result


def table(results: Sequence[Result]) -> str:
    base = results[0].objects / results[0].draining if results else 1.0
    lines = [
        "| transformers | objects | rows | wall s (with start-up) | drain s | objects/s | rows/s "
        "| speed-up | handled (redelivered) | catalog msgs | DLQ | curated tables |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in results:
        rate = r.objects / r.draining
        problems = [f"{t}: {v}" for t, v in r.check.items() if v != "ok"]
        lines.append(
            f"| {r.processes} | {r.objects} | {r.rows} | {r.seconds:.1f} | {r.draining:.1f} | "
            f"{rate:.1f} | {r.rows / r.draining:.0f} | {rate / base:.2f}x | "
            f"{r.handled} ({r.redelivered}) | {r.announced} | {r.dead_letters} | "
            f"{'; '.join(problems) or 'no missing, no duplicate rows'} |"
        )
    return "\n".join(lines)


def cpu_table(results: Sequence[Result]) -> str:
    """Where the CPU went: the transformers against the emulator, per object."""
    cores = os.cpu_count() or 1
    lines = [
        "| transformers | transformer CPU s | CPU ms/object | moto CPU s | "
        f"CPU busy (of {cores} cores) |",
        "|---:|---:|---:|---|---:|",
    ]
    for r in results:
        moto = ", ".join(f"{name} {cpu:.1f}" for name, cpu in r.moto_cpu.items())
        busy = (r.transformer_cpu + sum(r.moto_cpu.values())) / (r.seconds * cores)
        lines.append(
            f"| {r.processes} | {r.transformer_cpu:.1f} | "
            f"{1000 * r.transformer_cpu / r.objects:.1f} | {moto} | {busy:.0%} |"
        )
    return "\n".join(lines)

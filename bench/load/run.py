"""One load-test run: N transformer processes drain a fed transform queue on a fresh stack."""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import psutil
from spotify_etl.local.provision import StackNames, provision
from spotify_etl.local.state import REGION

from bench.corpus import Expected
from bench.load.check import check_tables, handled_counts
from bench.load.drain import CatalogDrain
from bench.load.feed import CATALOG_BACKLOG, FEED_WINDOW, REFILL_AT, depth, enqueue
from bench.load.servers import Stack

VISIBILITY = 10
"""Visibility timeout of the load queues: a message whose receive answer is lost (an
overloaded server) comes back after it, while the workers still run (idle exit is 2x)."""
PROGRESS_EVERY = 15.0
"""Seconds between progress lines on stderr."""


def transformer_command() -> list[str]:
    found = shutil.which("transformer")
    return [found] if found else [sys.executable, "-m", "transformer.main"]


@dataclass
class Result:
    processes: int
    objects: int
    seconds: float
    """From starting the processes to an empty queue (start-up included)."""
    draining: float
    """From the first message taken to an empty queue (steady state)."""
    rows: int
    dead_letters: int
    check: dict[str, str]
    handled: int
    """``message.handled`` lines with outcome handled (more than objects: redeliveries)."""
    redelivered: int
    """Messages handled with a receive count above 1."""
    announced: int
    """TableFileWritten messages the transformers sent (one per table a playlist page yields)."""
    transformer_cpu: float
    """CPU seconds of all transformer processes, start-up included."""
    moto_cpu: dict[str, float]
    """CPU seconds of each moto server ("s3", "sqs", or "s3+sqs") while the transformers ran."""

    @property
    def ok(self) -> bool:
        return all(v == "ok" for v in self.check.values()) and self.dead_letters == 0


def run(
    stack: Stack,
    processes: int,
    raw_bucket: str,
    keys: Sequence[str],
    expected: Expected,
    log_dir: Path,
    max_in_flight: int,
) -> Result:
    names = StackNames.unique(f"load{processes}")
    provisioned = provision(
        stack.client("s3"), stack.client("sqs"), names, REGION, visibility_timeout=VISIBILITY
    )
    queue = provisioned.queue_urls[names.transform_queue]
    dlq = provisioned.queue_urls[names.dlq(names.transform_queue)]
    # Fed in a window rather than all at once: moto's SQS calls cost time in
    # proportion to the queue's length, so a 5,000-deep queue would measure moto.
    pending = list(keys)
    fed, pending = pending[:FEED_WINDOW], pending[FEED_WINDOW:]
    enqueue(stack, queue, raw_bucket, fed)
    env = {
        **os.environ,
        **stack.env(names),
        "SPOTIFY_ETL_EXIT_WHEN_IDLE": str(2 * VISIBILITY),
        "SPOTIFY_ETL_VISIBILITY_TIMEOUT": str(VISIBILITY),
        "SPOTIFY_ETL_WAIT_SECONDS": "1",
        "SPOTIFY_ETL_MAX_IN_FLIGHT": str(max_in_flight),
        "SPOTIFY_ETL_LOG_LEVEL": "INFO",
    }
    sqs = stack.client("sqs")
    catalog = CatalogDrain(stack, provisioned.queue_urls[names.catalog_queue])
    moto = {pid: psutil.Process(pid) for pid in stack.pids}
    moto_before = {pid: _cpu(proc) for pid, proc in moto.items()}
    children_before = _children_cpu()
    with catalog:
        started = time.monotonic()
        workers = []
        for n in range(processes):
            log = (log_dir / f"transformer-{processes}-{n}.log").open("wb")
            workers.append(
                subprocess.Popen(
                    transformer_command(), env=env, stdout=log, stderr=subprocess.STDOUT
                )
            )
        first_taken: float | None = None
        next_progress = started + PROGRESS_EVERY
        while (left := depth(sqs, queue)) > 0 or pending:
            now = time.monotonic()
            if first_taken is None and left < len(fed):
                first_taken = now
            if now >= next_progress:
                next_progress += PROGRESS_EVERY
                print(
                    f"  {now - started:5.0f} s: {len(keys) - len(pending) - left} of {len(keys)} "
                    f"done, transform queue {left}, catalog queue "
                    f"{depth(sqs, catalog.url)} (drained {catalog.received})",
                    file=sys.stderr,
                )
            if pending and left <= REFILL_AT and depth(sqs, catalog.url) <= CATALOG_BACKLOG:
                fed, pending = pending[: FEED_WINDOW - left], pending[FEED_WINDOW - left :]
                enqueue(stack, queue, raw_bucket, fed)
            if all(w.poll() is not None for w in workers):
                raise RuntimeError(f"every transformer exited with work left; see {log_dir}")
            time.sleep(0.25)
        seconds = time.monotonic() - started
        draining = time.monotonic() - (first_taken or started)
        moto_cpu = {pid: _cpu(proc) - moto_before[pid] for pid, proc in moto.items()}
        for worker in workers:
            worker.wait(timeout=4 * VISIBILITY + 30)
    transformer_cpu = _children_cpu() - children_before
    dead = depth(sqs, dlq)
    handled, redelivered = handled_counts(log_dir.glob(f"transformer-{processes}-*.log"))
    announced = catalog.received
    check, rows = check_tables(stack, names.bucket, expected)
    if stack.s3_pid == stack.sqs_pid:
        moto_named = {"s3+sqs": moto_cpu[stack.s3_pid]}
    else:
        moto_named = {"s3": moto_cpu[stack.s3_pid], "sqs": moto_cpu[stack.sqs_pid]}
    return Result(
        processes,
        len(keys),
        seconds,
        draining,
        rows,
        dead,
        check,
        handled,
        redelivered,
        announced,
        transformer_cpu,
        moto_named,
    )


def _cpu(process: psutil.Process) -> float:
    times = process.cpu_times()
    return float(times.user + times.system)


def _children_cpu() -> float:
    """CPU seconds of this process's waited-for children (the transformers, once reaped)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime

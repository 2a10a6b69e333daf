"""Watch the local pipeline drain: progress lines until both queues stay empty.

The loop is given its queues, processes, sleep and output, so it runs the same
in ``run-local`` (real SQS, real child processes) and in a unit test (fakes).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from typing import Protocol

from spotify_etl_common.sqs import QueueDepth

POLL = 1.0
SETTLE_POLLS = 3
"""Consecutive polls with both queues empty and no producer left before stopping."""


class Process(Protocol):
    """What the loop asks of a child process (``subprocess.Popen`` is one)."""

    @property
    def returncode(self) -> int | None: ...

    def poll(self) -> int | None: ...


class Queue(Protocol):
    """What the loop asks of a queue (``SqsQueue`` is one)."""

    async def depth(self) -> QueueDepth: ...


def progress_line(extracting: bool | None, depths: Mapping[str, QueueDepth]) -> str:
    """One progress line: the extractor's state (None: not run), then each queue's depth."""
    parts = [] if extracting is None else ["extractor running" if extracting else "extractor done"]
    parts += [f"{n} queue: {d.visible} waiting, {d.in_flight} in flight" for n, d in depths.items()]
    return "; ".join(parts)


async def watch(
    queues: Mapping[str, Queue],
    dead_letters: Mapping[str, Queue | None],
    extractor: Process | None,
    workers: Mapping[str, Process],
    say: Callable[[str], None],
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> int:
    """Report progress until the extractor (if any) is done and the queues stay empty.

    1 when a worker stopped on its own (it should run until told to stop), else 0.
    """
    quiet = 0
    last = ""
    while quiet < SETTLE_POLLS:
        await sleep(POLL)
        depths = {n: await q.depth() for n, q in queues.items()}
        extracting = extractor is not None and extractor.poll() is None
        line = progress_line(None if extractor is None else extracting, depths)
        if line != last:
            say(line)
            last = line
        for name, process in workers.items():
            if process.poll() is not None:
                say(f"{name} stopped unexpectedly with exit code {process.returncode}")
                return 1
        busy = extracting or any(d.visible or d.in_flight or d.delayed for d in depths.values())
        quiet = 0 if busy else quiet + 1
    for name, dlq in dead_letters.items():
        if dlq is not None and (await dlq.depth()).visible:
            say(f"{name} dead-letter queue holds messages: `spotify-etl dlq list --queue {name}`")
    return 0

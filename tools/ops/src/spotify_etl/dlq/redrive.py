"""Moving dead letters back to their source queue, and looking at them without moving them.

Two ways, chosen in ``redrive``:

- **StartMessageMoveTask** (AWS): SQS moves every message itself, server-side,
  and keeps its attributes as they are. Used when all letters are moved
  (no ``--max``) and the API answers.
- **Copy loop** (moto and LocalStack lack the API; also ``--max N``): receive
  up to 10 letters, *send* them to the source queue, *then delete* them from
  the dead-letter queue, repeat until the queue is empty or N are moved.

The copy loop never loses a message: a letter is deleted only after its copy
was accepted by the source queue. An interruption (crash, Ctrl-C, lost
connection) between the send and the delete is the at-least-once window: the
letter stays in the dead-letter queue, becomes visible again after the
visibility timeout, and the next redrive sends it once more, so the consumer
sees it twice. That is harmless: handlers are idempotent because every output
key is a pure function of the input (a second transform overwrites the same
Parquet file; a second catalog update sets the same partition). Copies of one
letter share ``redrive.original_id`` for whoever wants to tell them apart.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from spotify_etl_common.sqs import ReceivedMessage, SqsQueue
from spotify_etl_common.sqs_moves import MoveTask, MoveTasks

from spotify_etl.dlq.letters import DeadLetter, next_batch_size, redrive_message

PEEK_VISIBILITY = 30
"""Seconds letters stay hidden while being looked at, before they are given back."""


async def wait_move_task(
    tasks: MoveTasks,
    dlq_arn: str,
    on_progress: Callable[[int], None] | None = None,
    poll_seconds: float = 2.0,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> MoveTask:
    """Poll the newest move task of ``dlq_arn`` every ``poll_seconds`` (slept with ``sleep``)
    until it is no longer running; ``on_progress`` gets the count moved at each poll."""
    while True:
        task = await tasks.newest(dlq_arn)
        if task is not None:
            if on_progress is not None:
                on_progress(task.moved)
            if task.status != "RUNNING":
                return task
        await sleep(poll_seconds)


async def redrive_by_copy(
    dlq: SqsQueue,
    source: SqsQueue,
    *,
    max_messages: int | None = None,
    visibility_timeout: int = 60,
    wait_seconds: int = 1,
    on_batch: Callable[[int], None] | None = None,
) -> int:
    """Move letters by receive, send to ``source``, then delete; returns how many moved."""
    moved = 0
    while (want := next_batch_size(max_messages, moved)) > 0:
        received = await dlq.receive(want, wait_seconds, visibility_timeout)
        if not received:
            break
        await source.send([redrive_message(m) for m in received])
        await dlq.delete([m.receipt_handle for m in received])
        moved += len(received)
        if on_batch is not None:
            on_batch(len(received))
    return moved


async def peek(dlq: SqsQueue, limit: int, wait_seconds: int = 1) -> list[DeadLetter]:
    """Up to ``limit`` letters, received and given straight back (nothing is deleted)."""
    seen: list[ReceivedMessage] = []
    try:
        while len(seen) < limit:
            batch = await dlq.receive(min(10, limit - len(seen)), wait_seconds, PEEK_VISIBILITY)
            if not batch:
                break
            seen.extend(batch)
    finally:
        if seen:
            await dlq.change_visibility([m.receipt_handle for m in seen], 0)
    unique = {m.message_id: m for m in seen}
    return [DeadLetter.of(m) for m in unique.values()]

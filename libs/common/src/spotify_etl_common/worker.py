"""The SQS worker: one consumer loop shared by every queue-driven service.

Semantics (DESIGN.md, "The worker loop"):

- long polling, batches of up to 10, at most ``max_in_flight`` messages handled
  at once; a visibility heartbeat keeps slow messages invisible;
- success: the message is deleted (in batches); ``TransientError``: the message
  stays and comes back after its visibility timeout, or after the delay the
  error carries; ``PermanentError`` or a body that fails validation: the
  message is sent to the dead-letter queue at once with the reason and its
  original attributes, then deleted; any other exception counts as transient
  (the queue's redrive policy dead-letters it after maxReceiveCount);
- SIGTERM/SIGINT (:func:`serve`): stop receiving, let in-flight work finish
  within ``shutdown_grace``, give the rest back (visibility 0), exit.

Each message gets its own structlog context and exactly one summary line,
``message.handled``, which also carries CloudWatch EMF metrics.
"""

from __future__ import annotations

import asyncio
import signal
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Generic, TypeVar

import structlog
from pydantic import BaseModel, Field

from spotify_etl_common.errors import PermanentError, SpotifyEtlError, TransientError
from spotify_etl_common.logs import get_logger
from spotify_etl_common.messages import parse_message
from spotify_etl_common.metrics import emf_fields
from spotify_etl_common.settings import CommonSettings
from spotify_etl_common.sqs import BATCH, MAX_VISIBILITY, OutgoingMessage, ReceivedMessage, SqsQueue

if TYPE_CHECKING:
    from types_aiobotocore_sqs import SQSClient

M = TypeVar("M", bound=BaseModel)

Summary = Mapping[str, object] | None
Handler = Callable[[M, ReceivedMessage], Awaitable[Summary]]
"""Handles one message; returns fields for its summary line."""

MAX_DLQ_ATTRIBUTES = 10
"""SQS allows at most 10 message attributes per message."""
_REASON_LIMIT = 4000

log = get_logger(__name__)


@dataclass(frozen=True)
class BatchOutcome:
    """What a batch handler did: failed messages by id; the rest succeeded."""

    failures: Mapping[str, SpotifyEtlError] = field(default_factory=dict)
    summary: Mapping[str, object] = field(default_factory=dict)


BatchHandler = Callable[[Sequence[tuple[M, ReceivedMessage]]], Awaitable[BatchOutcome]]
"""Handles several messages at once (coalescing); failures keyed by message id."""


class WorkerSettings(CommonSettings):
    """Variables of every queue-driven service."""

    max_in_flight: int = Field(default=10, alias="SPOTIFY_ETL_MAX_IN_FLIGHT", ge=1, le=1000)
    """Most messages handled at once by one process (batch handlers: most per batch)."""
    visibility_timeout: int = Field(
        default=60, alias="SPOTIFY_ETL_VISIBILITY_TIMEOUT", ge=2, le=MAX_VISIBILITY
    )
    """Seconds a received message stays invisible; the heartbeat extends it."""
    wait_seconds: int = Field(default=20, alias="SPOTIFY_ETL_WAIT_SECONDS", ge=0, le=20)
    """Long-poll wait of each receive, 0-20 seconds."""
    exit_when_idle: float | None = Field(default=None, alias="SPOTIFY_ETL_EXIT_WHEN_IDLE", gt=0)
    """Exit 0 once idle this many seconds with nothing left on the queue; unset runs forever."""
    shutdown_grace: float = Field(default=25.0, alias="SPOTIFY_ETL_SHUTDOWN_GRACE", ge=0)
    """Seconds from SIGTERM until unfinished work is given back (below the ECS stop timeout)."""
    max_retry_delay: int = Field(default=900, alias="SPOTIFY_ETL_MAX_RETRY_DELAY", ge=0)
    """Longest delay, in seconds, a TransientError may ask for before a message is retried."""

    def worker_config(self) -> WorkerConfig:
        """The worker's knobs from these settings."""
        return WorkerConfig(
            max_in_flight=self.max_in_flight,
            visibility_timeout=self.visibility_timeout,
            wait_seconds=self.wait_seconds,
            exit_when_idle=self.exit_when_idle,
            shutdown_grace=self.shutdown_grace,
            max_retry_delay=self.max_retry_delay,
        )


@dataclass(frozen=True)
class WorkerConfig:
    """Knobs of the consumer loop (see :class:`WorkerSettings` for each meaning)."""

    max_in_flight: int = 10
    visibility_timeout: int = 60
    wait_seconds: int = 20
    exit_when_idle: float | None = None
    shutdown_grace: float = 25.0
    max_retry_delay: int = 900

    @property
    def heartbeat_interval(self) -> float:
        """Extend visibility three times per timeout, well before it lapses."""
        return self.visibility_timeout / 3

    @property
    def receive_wait(self) -> int:
        """Long-poll wait, shortened so an idle exit is noticed in time."""
        if self.exit_when_idle is None:
            return self.wait_seconds
        return max(0, min(self.wait_seconds, int(self.exit_when_idle)))


@dataclass
class WorkerStats:
    """Counts of one worker run."""

    handled: int = 0
    retried: int = 0
    dead_lettered: int = 0
    given_back: int = 0


def dead_letter_attributes(
    received: ReceivedMessage, error: SpotifyEtlError, source_queue: str, failed_at: datetime
) -> dict[str, str]:
    """Original attributes plus the reason, trimmed to SQS's limit of 10."""
    ours = {
        "error.reason": error.reason[:_REASON_LIMIT],
        "error.type": type(error).__name__,
        "error.source_queue": source_queue,
        "error.failed_at": failed_at.isoformat(),
        "error.receive_count": str(received.receive_count),
    }
    originals = [(k, v) for k, v in received.attributes.items() if not k.startswith("error.")]
    keep = MAX_DLQ_ATTRIBUTES - len(ours)
    return dict(originals[:keep]) | ours


class _Deleter:
    """Deletes succeeded messages in batches of up to 10 in the background."""

    def __init__(self, queue: SqsQueue, linger: float = 0.05) -> None:
        self._queue = queue
        self._linger = linger
        self._pending: asyncio.Queue[str | None] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="sqs-deleter")

    def add(self, receipt_handle: str) -> None:
        self._pending.put_nowait(receipt_handle)

    async def close(self) -> None:
        self._pending.put_nowait(None)
        if self._task is not None:
            await self._task

    async def _run(self) -> None:
        closing = False
        while not closing:
            first = await self._pending.get()
            if first is None:
                break
            batch = [first]
            deadline = time.monotonic() + self._linger
            while len(batch) < BATCH:
                try:
                    item = await asyncio.wait_for(
                        self._pending.get(), max(0.0, deadline - time.monotonic())
                    )
                except TimeoutError:
                    break
                if item is None:
                    closing = True
                    break
                batch.append(item)
            try:
                await self._queue.delete(batch)
            except SpotifyEtlError as error:
                # Not lost: the messages come back after their visibility
                # timeout and are handled again (handlers are idempotent).
                log.warning("delete.failed", count=len(batch), reason=error.reason)


class Worker(Generic[M]):
    """Consumes one queue with a handler (one message at a time) or a batch handler."""

    def __init__(
        self,
        queue: SqsQueue,
        dead_letters: SqsQueue,
        model: type[M],
        handler: Handler[M] | None = None,
        config: WorkerConfig | None = None,
        *,
        batch_handler: BatchHandler[M] | None = None,
        service: str = "worker",
    ) -> None:
        if (handler is None) == (batch_handler is None):
            raise ValueError("give exactly one of handler and batch_handler")
        self.queue = queue
        self.dead_letters = dead_letters
        self.model = model
        self.handler = handler
        self.batch_handler = batch_handler
        self.config = config or WorkerConfig()
        self.service = service
        self.stats = WorkerStats()
        self._stopping = asyncio.Event()
        self._drain_deadline: float | None = None
        self._in_flight: dict[asyncio.Task[None], ReceivedMessage] = {}
        self._deleter = _Deleter(queue)

    def stop(self) -> None:
        """Ask the loop to stop receiving and drain (safe from a signal handler)."""
        if not self._stopping.is_set():
            log.info("worker.stopping", in_flight=len(self._in_flight))
            # The grace period counts from the signal, so a long poll still
            # under way does not push the exit past the ECS stop timeout.
            self._drain_deadline = time.monotonic() + self.config.shutdown_grace
        self._stopping.set()

    async def run(self) -> WorkerStats:
        """Consume until stopped (or idle for ``exit_when_idle`` seconds)."""
        self._deleter.start()
        log.info(
            "worker.started",
            queue=self.queue.name,
            dead_letters=self.dead_letters.name,
            max_in_flight=self.config.max_in_flight,
            visibility_timeout=self.config.visibility_timeout,
        )
        try:
            if self.batch_handler is not None:
                await self._loop_batches(self.batch_handler)
            else:
                await self._loop_single()
        finally:
            await self._drain()
            await self._deleter.close()
        log.info("worker.stopped", queue=self.queue.name, **vars(self.stats))
        return self.stats

    # -- receiving ---------------------------------------------------------

    async def _receive(self, max_messages: int) -> list[ReceivedMessage]:
        """One long poll; if a stop arrives meanwhile, what it returns is given back."""
        try:
            messages = await self.queue.receive(
                max_messages, self.config.receive_wait, self.config.visibility_timeout
            )
        except TransientError as error:
            log.warning("receive.failed", reason=error.reason)
            await asyncio.sleep(1)
            return []
        if messages and self._stopping.is_set():
            await self._give_back(messages)
            return []
        return messages

    async def _idle_exit(self, since: float) -> bool:
        """Idle for ``exit_when_idle`` and the queue holds nothing, not even invisible messages.

        Messages another consumer holds (or whose receive answer was lost) come
        back after their visibility timeout: the worker stays until they are done.
        """
        limit = self.config.exit_when_idle
        if limit is None or time.monotonic() - since < limit:
            return False
        try:
            depth = await self.queue.depth()
        except SpotifyEtlError as error:
            log.warning("depth.failed", reason=error.reason)
            return False
        if depth.visible or depth.in_flight or depth.delayed:
            return False
        log.info("worker.idle", seconds=limit)
        return True

    async def _loop_single(self) -> None:
        idle_since = time.monotonic()
        while not self._stopping.is_set():
            if len(self._in_flight) >= self.config.max_in_flight:
                await self._wait_for_room()
                continue
            capacity = self.config.max_in_flight - len(self._in_flight)
            messages = await self._receive(min(BATCH, capacity))
            if messages or self._in_flight:
                idle_since = time.monotonic()
            elif await self._idle_exit(idle_since):
                return
            for received in messages:
                task = asyncio.create_task(self._handle_one(received))
                self._in_flight[task] = received
                task.add_done_callback(self._in_flight.pop)

    async def _wait_for_room(self) -> None:
        """Until an in-flight message settles or a stop is asked for."""
        stopped = asyncio.create_task(self._stopping.wait())
        try:
            await asyncio.wait({stopped, *self._in_flight}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopped.cancel()

    async def _loop_batches(self, batch_handler: BatchHandler[M]) -> None:
        idle_since = time.monotonic()
        while not self._stopping.is_set():
            gathered: list[ReceivedMessage] = []
            while len(gathered) < self.config.max_in_flight and not self._stopping.is_set():
                room = min(BATCH, self.config.max_in_flight - len(gathered))
                messages = await self._receive(room)
                gathered.extend(messages)
                if len(messages) < room:
                    break  # the queue is drained for now: handle what arrived together
            if not gathered:
                if await self._idle_exit(idle_since):
                    return
                continue
            task = asyncio.create_task(self._handle_batch(batch_handler, gathered))
            for received in gathered:
                self._in_flight[task] = received
            await asyncio.wait({task})
            self._in_flight.pop(task, None)
            idle_since = time.monotonic()

    # -- handling ----------------------------------------------------------

    async def _handle_one(self, received: ReceivedMessage) -> None:
        assert self.handler is not None
        started = time.monotonic()
        with structlog.contextvars.bound_contextvars(
            message_id=received.message_id, receive_count=received.receive_count
        ):
            try:
                message = parse_message(self.model, received.body)
            except PermanentError as error:
                await self._settle_failure(received, error, started, poison=True)
                return
            try:
                async with self._heartbeat([received.receipt_handle]):
                    summary = await self.handler(message, received)
            except SpotifyEtlError as error:
                await self._settle_failure(received, error, started)
            except asyncio.CancelledError:
                await self._give_back([received])
                raise
            except Exception as error:  # a bug: retried, then dead-lettered by redrive
                log.exception("handler.crashed")
                await self._settle_failure(
                    received, TransientError(f"unexpected {type(error).__name__}: {error}"), started
                )
            else:
                self._deleter.add(received.receipt_handle)
                self.stats.handled += 1
                self._summary(started, "handled", dict(summary or {}))

    async def _handle_batch(
        self, batch_handler: BatchHandler[M], gathered: list[ReceivedMessage]
    ) -> None:
        started = time.monotonic()
        valid: list[tuple[M, ReceivedMessage]] = []
        for received in gathered:
            try:
                valid.append((parse_message(self.model, received.body), received))
            except PermanentError as error:
                with structlog.contextvars.bound_contextvars(message_id=received.message_id):
                    await self._settle_failure(received, error, started, poison=True)
        if not valid:
            return
        try:
            async with self._heartbeat([r.receipt_handle for _, r in valid]):
                outcome = await batch_handler(valid)
        except SpotifyEtlError as error:
            outcome = BatchOutcome(failures={r.message_id: error for _, r in valid})
        except asyncio.CancelledError:
            await self._give_back([r for _, r in valid])
            raise
        except Exception as error:
            log.exception("handler.crashed")
            failure = TransientError(f"unexpected {type(error).__name__}: {error}")
            outcome = BatchOutcome(failures={r.message_id: failure for _, r in valid})
        for _, received in valid:
            with structlog.contextvars.bound_contextvars(
                message_id=received.message_id, receive_count=received.receive_count
            ):
                failed = outcome.failures.get(received.message_id)
                if failed is None:
                    self._deleter.add(received.receipt_handle)
                    self.stats.handled += 1
                    self._summary(started, "handled", {"batch": len(valid), **outcome.summary})
                else:
                    await self._settle_failure(received, failed, started)

    async def _settle_failure(
        self,
        received: ReceivedMessage,
        error: SpotifyEtlError,
        started: float,
        *,
        poison: bool = False,
    ) -> None:
        if isinstance(error, PermanentError):
            await self._dead_letter(received, error)
            self.stats.dead_lettered += 1
            self._summary(
                started, "poison" if poison else "dead_lettered", {"reason": error.reason}
            )
            return
        self.stats.retried += 1
        delay = getattr(error, "retry_after", None)
        if delay is not None:
            delay = min(int(delay), self.config.max_retry_delay)
            try:
                await self.queue.change_visibility([received.receipt_handle], delay)
            except SpotifyEtlError as change_error:
                log.warning("retry_delay.failed", reason=change_error.reason)
        self._summary(started, "retry", {"reason": error.reason, "retry_in": delay})

    async def _dead_letter(self, received: ReceivedMessage, error: SpotifyEtlError) -> None:
        attributes = dead_letter_attributes(received, error, self.queue.name, datetime.now(tz=UTC))
        await self.dead_letters.send([OutgoingMessage(received.body, attributes)])
        self._deleter.add(received.receipt_handle)

    @asynccontextmanager
    async def _heartbeat(self, receipt_handles: list[str]) -> AsyncIterator[None]:
        """Keep the messages invisible while the body of the ``async with`` runs."""

        async def beat() -> None:
            while True:
                await asyncio.sleep(self.config.heartbeat_interval)
                try:
                    await self.queue.change_visibility(
                        receipt_handles, self.config.visibility_timeout
                    )
                    log.debug("heartbeat", extended_to=self.config.visibility_timeout)
                except SpotifyEtlError as error:
                    log.warning("heartbeat.failed", reason=error.reason)

        task = asyncio.create_task(beat())
        try:
            yield
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    async def _give_back(self, messages: Sequence[ReceivedMessage]) -> None:
        try:
            await self.queue.change_visibility([m.receipt_handle for m in messages], 0)
            self.stats.given_back += len(messages)
        except SpotifyEtlError as error:
            log.warning("give_back.failed", count=len(messages), reason=error.reason)

    async def _drain(self) -> None:
        """Let in-flight work finish within the grace period; give the rest back."""
        tasks = set(self._in_flight)
        if not tasks:
            return
        deadline = self._drain_deadline or time.monotonic() + self.config.shutdown_grace
        _, pending = await asyncio.wait(tasks, timeout=max(0.0, deadline - time.monotonic()))
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.gather(*pending, return_exceptions=True)
            log.warning("worker.gave_back_unfinished", count=len(pending))

    def _summary(self, started: float, outcome: str, fields: dict[str, object]) -> None:
        duration_ms = round((time.monotonic() - started) * 1000, 1)
        ok = outcome == "handled"
        metrics = emf_fields(
            self.service,
            {
                "MessagesHandled": (1 if ok else 0, "Count"),
                "MessagesFailed": (0 if ok else 1, "Count"),
                "HandleDuration": (duration_ms, "Milliseconds"),
            },
            timestamp_ms=int(time.time() * 1000),
        )
        level = log.info if ok else log.warning
        level("message.handled", outcome=outcome, duration_ms=duration_ms, **fields, **metrics)


async def serve(worker: Worker[M]) -> WorkerStats:
    """Run ``worker`` until SIGTERM/SIGINT or idle exit; signals drain it gracefully."""
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, worker.stop)
    try:
        return await worker.run()
    finally:
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(signum)


async def resolve_queues(client: SQSClient, name_or_url: str) -> tuple[SqsQueue, SqsQueue]:
    """A work queue and its dead-letter queue; a queue without one is refused.

    Without a dead-letter queue a poison message would be retried forever or
    lost, so a service refuses to start on such a queue.
    """
    queue = await SqsQueue.resolve(client, name_or_url)
    dead_letters = await queue.dead_letter_queue()
    if dead_letters is None:
        raise PermanentError(
            f"queue {queue.name} has no redrive policy: give it a dead-letter queue "
            "(spotify-etl local up, or the deploy stack) so poison messages are kept"
        )
    return queue, dead_letters

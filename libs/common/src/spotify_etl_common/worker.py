"""The SQS worker: one consumer loop shared by every queue-driven service.

Semantics (docs/architecture.md, "The worker loop"):

- long polling, batches of up to 10, at most ``max_in_flight`` messages handled
  at once; a visibility heartbeat keeps slow messages invisible; in batch mode
  only a batch's first receive waits the long poll, the receives that fill it
  wait at most ``follow_up_wait`` (1 s);
- how a message settles is decided by the pure :func:`~.worker_settle.settle`
  (success: deleted, in batches; ``TransientError``: left to come back after
  its visibility timeout, or after the delay it carries; ``PermanentError`` or
  a body that fails validation: sent to the dead-letter queue at once with the
  reason and its original attributes, then deleted; any other exception counts
  as transient, so the queue's redrive policy dead-letters it after
  maxReceiveCount); the loop applies the decision;
- two modes share the loop (:mod:`.worker_modes`): a ``handler`` takes one
  message at a time, a ``batch_handler`` everything received together;
- :meth:`Worker.stop` (SIGTERM/SIGINT through :func:`serve`) cancels a long
  poll under way, stops receiving, lets in-flight work (a message or a whole
  batch) finish until ``shutdown_grace`` seconds after the stop, then cancels
  it and gives its messages back (visibility 0); nothing is dead-lettered by
  a stop. SQS keeps an abandoned poll open until its wait ends and may still
  hand it messages (they come back after the visibility timeout, one receive
  more), so nothing is given back before that poll's wait (plus 1 s) is over.
  After SIGTERM the process exits within ``max(shutdown_grace, wait_seconds +
  1)`` seconds plus one give-back and one delete call; idle, at once; in the
  middle of a batch, ``shutdown_grace`` plus those calls (no poll is open
  while a batch is in flight).
- a failed receive is retried with exponential backoff (1 s doubling to 20 s).

Each message gets its own structlog context and exactly one line,
``message.handled``, with its outcome, duration and CloudWatch EMF metrics;
handlers add fields and metrics to it through :mod:`.worker_line`. A batch
handler's summary of the batch goes once onto a ``batch.handled`` line; each
message line names its batch.

Time comes from the injected ``clock`` (monotonic seconds) and ``sleep``, as in
the extractor's limiter, so tests run the loop in virtual time.
"""

from __future__ import annotations

import asyncio
import hashlib
import signal
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any, Generic

from spotify_etl_common.errors import PermanentError, SpotifyEtlError, TransientError
from spotify_etl_common.logs import get_logger
from spotify_etl_common.messages import parse_message
from spotify_etl_common.sqs import (
    BATCH,
    BatchDeleter,
    OutgoingMessage,
    ReceivedMessage,
    SqsQueue,
    resolve_queues,
)
from spotify_etl_common.worker_config import (
    WorkerConfig,
    WorkerSettings,
    WorkerStats,
    receive_backoff,
)
from spotify_etl_common.worker_line import MessageLine, bound_lines, handled_line
from spotify_etl_common.worker_modes import (
    Batches,
    BatchHandler,
    BatchOutcome,
    Handler,
    M,
    Mode,
    SingleMessages,
    Summary,
    UnitResult,
)
from spotify_etl_common.worker_settle import (
    GIVEN_BACK,
    MAX_DLQ_ATTRIBUTES,
    Action,
    Outcome,
    Settlement,
    dead_letter_attributes,
    settle,
)

__all__ = [
    "MAX_DLQ_ATTRIBUTES",
    "Action",
    "BatchHandler",
    "BatchOutcome",
    "Clock",
    "Handler",
    "Outcome",
    "Settlement",
    "Sleep",
    "Summary",
    "Worker",
    "WorkerConfig",
    "WorkerSettings",
    "WorkerStats",
    "dead_letter_attributes",
    "receive_backoff",
    "resolve_queues",
    "serve",
    "settle",
]

Clock = Callable[[], float]
"""Monotonic seconds (``time.monotonic``)."""
Sleep = Callable[[float], Awaitable[None]]
"""``asyncio.sleep``, or a virtual one in tests."""

POLL_MARGIN = 1.0
"""Seconds past an abandoned long poll's wait before its server side is taken as closed."""
log = get_logger(__name__)


def batch_id(messages: Sequence[ReceivedMessage]) -> str:
    """A short id naming a batch on its messages' lines (a digest of their ids)."""
    digest = hashlib.sha256("\n".join(sorted(m.message_id for m in messages)).encode())
    return digest.hexdigest()[:12]


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
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        now: Callable[[], datetime] = lambda: datetime.now(tz=UTC),
    ) -> None:
        if (handler is None) == (batch_handler is None):
            raise ValueError("give exactly one of handler and batch_handler")
        self.queue = queue
        self.dead_letters = dead_letters
        self.model = model
        self.mode: Mode[M]
        if handler is not None:
            self.mode = SingleMessages(handler)
        elif batch_handler is not None:
            self.mode = Batches(batch_handler)
        self.config = config or WorkerConfig()
        self.service = service
        self.stats = WorkerStats()
        self._clock = clock
        self._sleep = sleep
        self._now = now
        self._stopping = asyncio.Event()
        self._drain_deadline: float | None = None
        self._in_flight: dict[asyncio.Task[None], tuple[ReceivedMessage, ...]] = {}
        self._deleter = BatchDeleter(queue, sleep=sleep)
        self._receive_failures = 0
        self._abandoned_poll_until = 0.0

    @property
    def in_flight(self) -> int:
        """Messages being handled now (every message of a batch counts)."""
        return sum(len(unit) for unit in self._in_flight.values())

    def stop(self) -> None:
        """Stop receiving (a long poll under way is cancelled) and drain; safe from a signal."""
        if not self._stopping.is_set():
            log.info("worker.stopping", in_flight=self.in_flight)
            # The grace period counts from the signal.
            self._drain_deadline = self._clock() + self.config.shutdown_grace
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
            mode=type(self.mode).__name__,
        )
        try:
            await self._loop()
        finally:
            await self._drain()
            await self._deleter.close()
        log.info("worker.stopped", queue=self.queue.name, **vars(self.stats))
        return self.stats

    # -- the loop ----------------------------------------------------------

    async def _loop(self) -> None:
        idle_since = self._clock()
        while not self._stopping.is_set():
            room = self.mode.room(self.in_flight, len(self._in_flight), self.config.max_in_flight)
            if room <= 0:
                await self._wait_for_room()
                continue
            gathered = await self._gather(room)
            if self._stopping.is_set():
                await self._give_back_unhandled(gathered)
                return
            if gathered or self._in_flight:
                idle_since = self._clock()
            elif await self._idle_exit(idle_since):
                return
            for unit in self.mode.units(gathered):
                task = asyncio.create_task(self._handle_unit(unit))
                self._in_flight[task] = unit
                task.add_done_callback(self._in_flight.pop)

    async def _gather(self, room: int) -> list[ReceivedMessage]:
        """One receive, or (batch mode) receives until one comes back short or ``room`` is full.

        Only the first receive of a batch waits the long poll: once messages
        arrived, the receives that fill the batch wait at most
        ``follow_up_wait``, so a batch of exactly 10, 20 ... messages is handled
        at once instead of after a whole idle poll.
        """
        gathered: list[ReceivedMessage] = []
        while len(gathered) < room and not self._stopping.is_set():
            want = min(BATCH, room - len(gathered))
            wait = self.config.follow_up_wait if gathered else self.config.receive_wait
            messages = await self._receive(want, wait)
            gathered.extend(messages)
            if not self.mode.gathers or len(messages) < want:
                break  # the queue is drained for now: handle what arrived together
        return gathered

    async def _receive(self, max_messages: int, wait_seconds: int) -> list[ReceivedMessage]:
        """One poll waiting ``wait_seconds``, cancelled by a stop; failures back off."""
        started = self._clock()
        poll = asyncio.create_task(
            self.queue.receive(max_messages, wait_seconds, self.config.visibility_timeout)
        )
        if not await self._until_stopped(poll):
            # SQS does not learn that the poll was abandoned: until its wait ends it
            # may still take messages (they come back after the visibility timeout).
            # Nothing is given back into it: see _drain.
            self._abandoned_poll_until = max(
                self._abandoned_poll_until, started + wait_seconds + POLL_MARGIN
            )
            log.info(
                "receive.cancelled", open_until_s=round(self._abandoned_poll_until - started, 1)
            )
            return []
        try:
            messages = poll.result()
        except TransientError as error:
            self._receive_failures += 1
            delay = receive_backoff(self._receive_failures)
            log.warning("receive.failed", reason=error.reason, retry_in=delay)
            await self._until_stopped(asyncio.ensure_future(self._sleep(delay)))
            return []
        self._receive_failures = 0
        return messages

    async def _until_stopped(self, task: asyncio.Future[Any]) -> bool:
        """Await ``task`` unless a stop comes first (then cancel it): True if it finished."""
        stopped = asyncio.create_task(self._stopping.wait())
        try:
            await asyncio.wait({task, stopped}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopped.cancel()
        if task.done():
            return True
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        return False

    async def _idle_exit(self, since: float) -> bool:
        """Idle for ``exit_when_idle`` and the queue holds nothing, not even invisible messages.

        Messages another consumer holds (or whose receive answer was lost) come
        back after their visibility timeout: the worker stays until they are done.
        """
        limit = self.config.exit_when_idle
        if limit is None or self._clock() - since < limit:
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

    async def _wait_for_room(self) -> None:
        """Until an in-flight unit settles or a stop is asked for."""
        stopped = asyncio.create_task(self._stopping.wait())
        try:
            await asyncio.wait({stopped, *self._in_flight}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopped.cancel()

    async def _drain(self) -> None:
        """Let in-flight work finish until the grace deadline; cancel and give back the rest."""
        pending = set(self._in_flight)
        if not pending:
            return
        deadline = self._drain_deadline
        if deadline is None:
            deadline = self._clock() + self.config.shutdown_grace
        # Give nothing back while an abandoned long poll may still be open on SQS's
        # side: it would take the messages again (and count a receive).
        deadline = max(deadline, self._abandoned_poll_until)
        remaining = deadline - self._clock()
        if remaining > 0:
            timer = asyncio.ensure_future(self._sleep(remaining))
            while pending and not timer.done():
                await asyncio.wait({timer, *pending}, return_when=asyncio.FIRST_COMPLETED)
                pending = {t for t in pending if not t.done()}
            timer.cancel()
        unfinished = sum(len(self._in_flight.get(t, ())) for t in pending)
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.gather(*pending, return_exceptions=True)
            log.warning("worker.gave_back_unfinished", count=unfinished)

    # -- handling ----------------------------------------------------------

    async def _handle_unit(self, unit: tuple[ReceivedMessage, ...]) -> None:
        started = self._clock()
        batch = batch_id(unit) if self.mode.gathers else None
        valid: list[tuple[M, ReceivedMessage]] = []
        for received in unit:
            try:
                valid.append((parse_message(self.model, received.body), received))
            except PermanentError as error:
                policy = settle(error, max_retry_delay=self.config.max_retry_delay, poison=True)
                problem = await self._carry_out(received, policy)
                self._line(received, policy, started, returned=problem, batch=batch)
        if not valid:
            return
        lines = {r.message_id: MessageLine() for _, r in valid}
        try:
            with bound_lines(lines):
                async with self._heartbeat([r.receipt_handle for _, r in valid]):
                    result = await self.mode.call(valid)
        except asyncio.CancelledError:
            await self._give_back([r for _, r in valid])
            for _, received in valid:
                self._line(received, GIVEN_BACK, started, lines[received.message_id], batch=batch)
            raise
        except Exception as error:  # settled per message: a bug is retried
            result = UnitResult(failures={r.message_id: error for _, r in valid})
        for _, received in valid:
            failure = result.failures.get(received.message_id)
            policy = settle(failure, max_retry_delay=self.config.max_retry_delay)
            problem = await self._carry_out(received, policy)
            self._line(
                received,
                policy,
                started,
                lines[received.message_id],
                {**result.fields.get(received.message_id, {}), **problem},
                batch=batch,
                error=failure if policy.crashed else None,
            )
        if result.batch_summary is not None:
            self._batch_line(batch, valid, result, started)

    async def _carry_out(self, received: ReceivedMessage, policy: Settlement) -> dict[str, object]:
        """Carry out ``policy`` on SQS and count it; fields for the line if SQS refused."""
        try:
            if policy.action is Action.DELETE:
                self._deleter.add(received.receipt_handle)
                self.stats.handled += 1
            elif policy.action is Action.DEAD_LETTER:
                attributes = dead_letter_attributes(received, policy, self.queue.name, self._now())
                await self.dead_letters.send([OutgoingMessage(received.body, attributes)])
                self._deleter.add(received.receipt_handle)
                self.stats.dead_lettered += 1
            elif policy.action is Action.DELAY:
                self.stats.retried += 1
                await self.queue.change_visibility([received.receipt_handle], policy.retry_in or 0)
            elif policy.action is Action.LEAVE:
                self.stats.retried += 1
            else:
                await self._give_back([received])
        except SpotifyEtlError as failed:
            # Not lost: the message comes back after its visibility timeout.
            return {"settle_failed": failed.reason}
        return {}

    @asynccontextmanager
    async def _heartbeat(self, receipt_handles: list[str]) -> AsyncIterator[None]:
        """Keep the messages invisible while the body of the ``async with`` runs."""

        async def beat() -> None:
            while True:
                await self._sleep(self.config.heartbeat_interval)
                try:
                    await self.queue.change_visibility(
                        receipt_handles, self.config.visibility_timeout
                    )
                    log.debug("heartbeat.sent", extended_to=self.config.visibility_timeout)
                except SpotifyEtlError as error:
                    log.warning("heartbeat.failed", reason=error.reason)

        task = asyncio.create_task(beat())
        try:
            yield
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    async def _give_back(self, messages: Sequence[ReceivedMessage]) -> None:
        if not messages:
            return
        try:
            await self.queue.change_visibility([m.receipt_handle for m in messages], 0)
            self.stats.given_back += len(messages)
        except SpotifyEtlError as error:
            log.warning("give_back.failed", count=len(messages), reason=error.reason)

    async def _give_back_unhandled(self, messages: Sequence[ReceivedMessage]) -> None:
        """Messages a stop overtook between receive and handling: back, one line each."""
        if not messages:
            return
        wait = self._abandoned_poll_until - self._clock()
        if wait > 0:  # not into a poll still open on SQS's side (see _drain)
            await self._sleep(wait)
        await self._give_back(messages)
        started = self._clock()
        for received in messages:
            self._line(received, GIVEN_BACK, started)

    # -- lines -------------------------------------------------------------

    def _line(
        self,
        received: ReceivedMessage,
        policy: Settlement,
        started: float,
        line: MessageLine | None = None,
        returned: Mapping[str, object] | None = None,
        *,
        batch: str | None = None,
        error: BaseException | None = None,
    ) -> None:
        """The message's one ``message.handled`` line, with its EMF metrics."""
        fields = handled_line(
            received,
            policy,
            duration_ms=round((self._clock() - started) * 1000, 1),
            service=self.service,
            timestamp_ms=int(self._now().timestamp() * 1000),
            line=line,
            returned=returned,
            batch=batch,
        )
        level = log.info if policy.ok else log.warning
        level("message.handled", **fields, **({"exc_info": error} if error is not None else {}))

    def _batch_line(
        self,
        batch: str | None,
        valid: Sequence[tuple[M, ReceivedMessage]],
        result: UnitResult,
        started: float,
    ) -> None:
        """The batch's one ``batch.handled`` line (its summary, counted once)."""
        failed = sum(1 for _, r in valid if r.message_id in result.failures)
        log.info(
            "batch.handled",
            batch=batch,
            messages=len(valid),
            failed=failed,
            duration_ms=round((self._clock() - started) * 1000, 1),
            **dict(result.batch_summary or {}),
        )


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

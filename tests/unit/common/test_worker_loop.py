"""The worker loop in virtual time: heartbeat, retry delays, grace, cancelled polls, backoff.

The queue is an in-memory one with SQS's visibility semantics (our own port,
with state); the worker gets the virtual clock and sleep, so nothing here
waits in real time and no signal is sent.
"""

from __future__ import annotations

import asyncio
import heapq
import io
import json
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar, cast

import pytest
from pydantic import BaseModel
from spotify_etl_common.errors import PermanentError, TransientError
from spotify_etl_common.logs import configure_logging
from spotify_etl_common.sqs import OutgoingMessage, QueueDepth, ReceivedMessage, SqsQueue
from spotify_etl_common.worker import BatchOutcome, Worker, WorkerConfig
from spotify_etl_common.worker_line import current_line, line_of

T = TypeVar("T")


class VirtualTime:
    """A clock and a sleep: time jumps to the next sleeper once every task is waiting."""

    def __init__(self) -> None:
        self.now = 0.0
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._seq = 0

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self.now + max(0.0, seconds), self._seq, future))
        self._seq += 1
        await future

    async def run(self, coro: Coroutine[Any, Any, T], limit: float = 10_000) -> T:
        """Run ``coro`` to its end, advancing time whenever nothing else can run."""
        task = asyncio.ensure_future(coro)
        while not task.done():
            for _ in range(50):  # let every runnable task reach its next wait
                await asyncio.sleep(0)
            if task.done():
                break
            while self._sleepers and self._sleepers[0][2].done():
                heapq.heappop(self._sleepers)  # cancelled sleeps
            assert self._sleepers, "deadlock: nothing sleeps and nothing runs"
            when, _, future = heapq.heappop(self._sleepers)
            assert when <= limit, f"still running at t={when}"
            self.now = max(self.now, when)
            future.set_result(None)
        return task.result()

    def at(self, seconds: float, action: Callable[[], object]) -> asyncio.Task[None]:
        """Do ``action`` at virtual time ``seconds``."""

        async def later() -> None:
            await self.sleep(seconds - self.now)
            action()

        return asyncio.ensure_future(later())


@dataclass
class Stored:
    message_id: str
    body: str
    visible_at: float = 0.0
    receive_count: int = 0
    handle: str = ""


class MemoryQueue(SqsQueue):
    """SQS semantics in memory: visibility, long polls, receive counts; every call recorded."""

    def __init__(self, name: str, time: VirtualTime, bodies: Sequence[str] = ()) -> None:
        super().__init__(cast(Any, None), f"https://sqs.local/000000000000/{name}")
        self.time = time
        self.stored = {f"m{i}": Stored(f"m{i}", b) for i, b in enumerate(bodies)}
        self.sent: list[OutgoingMessage] = []
        self.deleted: list[str] = []
        self.visibility: list[tuple[float, tuple[str, ...], int]] = []
        """(when, message ids, seconds) of every change-visibility call."""
        self.received_at: list[tuple[float, str]] = []
        self.polls: list[tuple[float, int]] = []
        """(when, wait seconds) of every receive call."""
        self.receive_errors: list[Exception] = []
        self.polls_cancelled = 0
        self.swallowed: list[str] = []
        """Messages an abandoned poll took after its client had gone."""

    def _by_handle(self, handles: Sequence[str]) -> list[Stored]:
        return [s for s in self.stored.values() if s.handle in handles]

    async def receive(
        self, max_messages: int = 10, wait_seconds: int = 20, visibility_timeout: int = 60
    ) -> list[ReceivedMessage]:
        self.polls.append((self.time.now, wait_seconds))
        if self.receive_errors:
            raise self.receive_errors.pop(0)
        # The poll runs on "SQS's side": a client that gives up does not end it.
        server = asyncio.ensure_future(
            self._poll(max_messages, self.time.now + wait_seconds, visibility_timeout)
        )
        try:
            return await asyncio.shield(server)
        except asyncio.CancelledError:
            self.polls_cancelled += 1
            server.add_done_callback(
                lambda done: self.swallowed.extend(m.message_id for m in done.result())
            )
            raise

    async def _poll(
        self, max_messages: int, deadline: float, visibility_timeout: int
    ) -> list[ReceivedMessage]:
        while True:
            now = self.time.now
            ready = [s for s in self.stored.values() if s.visible_at <= now][:max_messages]
            if ready:
                return [self._take(s, visibility_timeout) for s in ready]
            if now >= deadline:
                return []
            # wake each second at least: a change of visibility may end the poll sooner
            later = [s.visible_at for s in self.stored.values() if s.visible_at > now]
            await self.time.sleep(min([deadline, now + 1, *later]) - now)

    def _take(self, stored: Stored, visibility_timeout: int) -> ReceivedMessage:
        stored.receive_count += 1
        stored.handle = f"{stored.message_id}#{stored.receive_count}"
        stored.visible_at = self.time.now + visibility_timeout
        self.received_at.append((self.time.now, stored.message_id))
        return ReceivedMessage(
            stored.message_id, stored.handle, stored.body, {}, stored.receive_count, 0
        )

    async def send(self, messages: Sequence[OutgoingMessage]) -> None:
        self.sent.extend(messages)

    async def delete(self, receipt_handles: Sequence[str]) -> None:
        for stored in self._by_handle(receipt_handles):
            del self.stored[stored.message_id]
            self.deleted.append(stored.message_id)

    async def change_visibility(self, receipt_handles: Sequence[str], seconds: int) -> None:
        found = self._by_handle(receipt_handles)
        for stored in found:
            stored.visible_at = self.time.now + seconds
        self.visibility.append((self.time.now, tuple(s.message_id for s in found), seconds))

    async def depth(self) -> QueueDepth:
        now = self.time.now
        visible = sum(1 for s in self.stored.values() if s.visible_at <= now)
        return QueueDepth(visible=visible, in_flight=len(self.stored) - visible, delayed=0)


class Job(BaseModel):
    n: int
    seconds: float = 0.0


def job(n: int, seconds: float = 0.0) -> str:
    return json.dumps({"n": n, "seconds": seconds})


@pytest.fixture
def time() -> VirtualTime:
    return VirtualTime()


@pytest.fixture
def lines() -> Callable[[], list[dict[str, Any]]]:
    """The JSON lines logged so far."""
    stream = io.StringIO()
    configure_logging("test", "DEBUG", stream=stream, json=True)
    return lambda: [json.loads(line) for line in stream.getvalue().splitlines()]


def config(**overrides: Any) -> WorkerConfig:
    base: dict[str, Any] = {
        "max_in_flight": 10,
        "visibility_timeout": 30,
        "wait_seconds": 20,
        "exit_when_idle": None,
        "shutdown_grace": 5.0,
    }
    return WorkerConfig(**(base | overrides))


def sleeper(time: VirtualTime) -> Callable[[Job, ReceivedMessage], Awaitable[dict[str, object]]]:
    async def handle(message: Job, received: ReceivedMessage) -> dict[str, object]:
        await time.sleep(message.seconds)
        return {"n": message.n}

    return handle


def worker(
    time: VirtualTime, queue: MemoryQueue, dlq: MemoryQueue, cfg: WorkerConfig, **kwargs: Any
) -> Worker[Job]:
    if "batch_handler" not in kwargs:
        kwargs.setdefault("handler", sleeper(time))
    return Worker(queue, dlq, Job, config=cfg, clock=time.clock, sleep=time.sleep, **kwargs)


def handled(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [line for line in lines if line["event"] == "message.handled"]


async def test_heartbeat_extends_visibility_every_third_of_the_timeout(
    time: VirtualTime, lines: Callable[[], list[dict[str, Any]]]
) -> None:
    queue, dlq = MemoryQueue("work", time, [job(1, seconds=100)]), MemoryQueue("dlq", time)
    stats = await time.run(worker(time, queue, dlq, config(exit_when_idle=5)).run())
    # 100 s of work with a 30 s timeout: extended at 10, 20 ... 90 s, never lapsing
    assert [(at, seconds) for at, _, seconds in queue.visibility] == [
        (10.0 * k, 30) for k in range(1, 10)
    ]
    assert queue.received_at == [(0.0, "m0")]  # handled once
    assert (stats.handled, queue.deleted) == (1, ["m0"])
    [line] = handled(lines())
    assert (line["outcome"], line["duration_ms"], line["n"]) == ("handled", 100_000.0, 1)


async def test_retry_after_makes_the_message_visible_again_after_that_delay(
    time: VirtualTime,
) -> None:
    attempts: list[float] = []

    async def rate_limited(message: Job, received: ReceivedMessage) -> None:
        attempts.append(time.now)
        if len(attempts) == 1:
            raise TransientError("rate limited", retry_after=3)

    queue, dlq = MemoryQueue("work", time, [job(1)]), MemoryQueue("dlq", time)
    cfg = config(exit_when_idle=10, wait_seconds=20)
    stats = await time.run(worker(time, queue, dlq, cfg, handler=rate_limited).run())
    assert queue.visibility == [(0.0, ("m0",), 3)]
    assert attempts == [0.0, 3.0]  # back after the 3 s it asked for, not the 30 s timeout
    assert (stats.retried, stats.handled, dlq.sent) == (1, 1, [])


async def test_a_retry_delay_is_capped_by_max_retry_delay(time: VirtualTime) -> None:
    async def hours(message: Job, received: ReceivedMessage) -> None:
        raise TransientError("quota", retry_after=7200)

    queue, dlq = MemoryQueue("work", time, [job(1)]), MemoryQueue("dlq", time)
    w = worker(time, queue, dlq, config(max_retry_delay=60), handler=hours)
    time.at(1, w.stop)
    await time.run(w.run())
    assert queue.visibility == [(0.0, ("m0",), 60)]


async def test_stop_gives_back_unfinished_messages_at_the_grace_deadline(
    time: VirtualTime, lines: Callable[[], list[dict[str, Any]]]
) -> None:
    queue = MemoryQueue("work", time, [job(n, seconds=100) for n in range(3)])
    dlq = MemoryQueue("dlq", time)
    w = worker(time, queue, dlq, config(shutdown_grace=5, wait_seconds=2))
    time.at(1, w.stop)
    stats = await time.run(w.run())
    assert time.now == 6.0  # the stop at 1 s plus the 5 s grace
    assert sorted(queue.visibility[-3:]) == [(6.0, (f"m{n}",), 0) for n in range(3)]
    assert (stats.handled, stats.given_back, dlq.sent, queue.deleted) == (0, 3, [], [])
    assert sorted(line["outcome"] for line in handled(lines())) == ["given_back"] * 3


async def test_nothing_is_given_back_into_a_poll_still_open_on_sqs_side(
    time: VirtualTime,
) -> None:
    """A cancelled 20 s poll stays open on SQS's side: give back only once it closed."""
    queue = MemoryQueue("work", time, [job(1, seconds=100)])
    dlq = MemoryQueue("dlq", time)
    w = worker(time, queue, dlq, config(shutdown_grace=5, wait_seconds=20))
    time.at(1, w.stop)  # the second poll, opened at 0 s, is open until 20 s
    stats = await time.run(w.run())
    assert time.now == 21.0  # past the abandoned poll's wait, not at 1 + 5 s
    assert queue.polls_cancelled == 1
    await time.run(time.sleep(60))  # let the abandoned poll end
    assert queue.swallowed == []
    assert queue.visibility[-1] == (21.0, ("m0",), 0)
    assert stats.given_back == 1


async def test_work_shorter_than_the_grace_finishes_and_is_deleted(time: VirtualTime) -> None:
    queue = MemoryQueue("work", time, [job(n, seconds=2) for n in range(3)])
    dlq = MemoryQueue("dlq", time)
    w = worker(time, queue, dlq, config(shutdown_grace=5))
    time.at(1, w.stop)
    stats = await time.run(w.run())
    assert time.now == 2.0
    assert (stats.handled, stats.given_back, sorted(queue.deleted)) == (3, 0, ["m0", "m1", "m2"])


async def test_stop_mid_batch_cancels_the_batch_at_the_grace_deadline_and_gives_it_back(
    time: VirtualTime, lines: Callable[[], list[dict[str, Any]]]
) -> None:
    seen: list[int] = []
    w: Worker[Job]

    async def slow_batch(items: Sequence[tuple[Job, ReceivedMessage]]) -> BatchOutcome:
        seen.append(w.in_flight)  # every message of the batch counts as in flight
        await time.sleep(100)
        return BatchOutcome()

    queue = MemoryQueue("work", time, [job(n) for n in range(5)])
    dlq = MemoryQueue("dlq", time)
    w = worker(
        time, queue, dlq, config(shutdown_grace=5, max_in_flight=50), batch_handler=slow_batch
    )
    time.at(1, w.stop)
    stats = await time.run(w.run())
    assert seen == [5]
    assert time.now == 6.0
    assert queue.visibility[-1] == (6.0, tuple(f"m{n}" for n in range(5)), 0)  # one call
    assert (stats.handled, stats.given_back, dlq.sent, queue.deleted) == (0, 5, [], [])
    assert all(s.visible_at == 6.0 for s in queue.stored.values())  # visible again now
    assert [line["outcome"] for line in handled(lines())] == ["given_back"] * 5


async def test_a_full_batch_is_handled_without_waiting_a_long_poll(time: VirtualTime) -> None:
    """Exactly 10 messages: the receive that would fill the batch does not wait 20 s."""
    handled_at: list[tuple[float, int]] = []

    async def coalesce(items: Sequence[tuple[Job, ReceivedMessage]]) -> BatchOutcome:
        handled_at.append((time.now, len(items)))
        return BatchOutcome()

    queue = MemoryQueue("work", time, [job(n) for n in range(10)])
    dlq = MemoryQueue("dlq", time)
    w = worker(time, queue, dlq, config(max_in_flight=50), batch_handler=coalesce)
    time.at(30, w.stop)
    stats = await time.run(w.run())
    assert handled_at == [(1.0, 10)]  # after the 1 s follow-up, not at 20 s
    # the first receive of each batch long-polls; only the follow-up is short
    assert queue.polls[:3] == [(0.0, 20), (0.0, 1), (1.0, 20)]
    assert (stats.handled, len(queue.deleted)) == (10, 10)


def test_follow_ups_never_wait_longer_than_the_configured_poll() -> None:
    waits = {
        (wait, idle): WorkerConfig(wait_seconds=wait, exit_when_idle=idle).follow_up_wait
        for wait, idle in [(20, None), (0, None), (20, 0.5)]
    }
    assert waits == {(20, None): 1, (0, None): 0, (20, 0.5): 0}


async def test_stop_during_a_follow_up_gives_the_batch_back_once_that_short_poll_closed(
    time: VirtualTime, lines: Callable[[], list[dict[str, Any]]]
) -> None:
    calls: list[int] = []

    async def coalesce(items: Sequence[tuple[Job, ReceivedMessage]]) -> BatchOutcome:
        calls.append(len(items))
        return BatchOutcome()

    queue = MemoryQueue("work", time, [job(n) for n in range(10)])
    dlq = MemoryQueue("dlq", time)
    w = worker(time, queue, dlq, config(max_in_flight=50), batch_handler=coalesce)
    time.at(0.5, w.stop)  # the follow-up poll opened at 0 s is open until 1 s (+1 s margin)
    stats = await time.run(w.run())
    assert queue.polls_cancelled == 1
    assert time.now == 2.0  # not 21 s: only the 1 s poll had to close
    await time.run(time.sleep(60))
    assert queue.swallowed == []
    assert calls == []  # overtaken by the stop: given back, not handled
    assert queue.visibility == [(2.0, tuple(f"m{n}" for n in range(10)), 0)]
    assert (stats.handled, stats.given_back) == (0, 10)
    assert [line["outcome"] for line in handled(lines())] == ["given_back"] * 10


async def test_stop_cancels_a_long_poll_under_way(time: VirtualTime) -> None:
    queue, dlq = MemoryQueue("work", time), MemoryQueue("dlq", time)
    w = worker(time, queue, dlq, config(wait_seconds=20, shutdown_grace=25))
    time.at(1, w.stop)
    await time.run(w.run())
    assert time.now == 1.0  # not at the end of the 20 s poll
    assert queue.polls_cancelled == 1


async def test_failed_receives_back_off_exponentially(
    time: VirtualTime, lines: Callable[[], list[dict[str, Any]]]
) -> None:
    queue, dlq = MemoryQueue("work", time, [job(1)]), MemoryQueue("dlq", time)
    queue.receive_errors = [TransientError("receive failed (connection error)")] * 6
    stats = await time.run(worker(time, queue, dlq, config(exit_when_idle=30)).run())
    failures = [line for line in lines() if line["event"] == "receive.failed"]
    assert [line["retry_in"] for line in failures] == [1.0, 2.0, 4.0, 8.0, 16.0, 20.0]
    assert queue.received_at == [(51.0, "m0")]  # 1+2+4+8+16+20 s later
    assert stats.handled == 1


async def test_stop_interrupts_a_receive_backoff(time: VirtualTime) -> None:
    queue, dlq = MemoryQueue("work", time), MemoryQueue("dlq", time)
    queue.receive_errors = [TransientError("down")] * 10
    w = worker(time, queue, dlq, config())
    time.at(2.5, w.stop)  # during the 2 s wait after the second failure
    await time.run(w.run())
    assert time.now == 2.5


async def test_a_crash_is_retried_with_its_traceback_on_the_one_line(
    time: VirtualTime, lines: Callable[[], list[dict[str, Any]]]
) -> None:
    async def buggy(message: Job, received: ReceivedMessage) -> None:
        raise KeyError("track")

    queue, dlq = MemoryQueue("work", time, [job(1)]), MemoryQueue("dlq", time)
    w = worker(time, queue, dlq, config(), handler=buggy)
    time.at(1, w.stop)
    stats = await time.run(w.run())
    logged = lines()
    [line] = handled(logged)
    assert (line["outcome"], line["reason"]) == ("retry", "unexpected KeyError: 'track'")
    assert "Traceback" in line["exception"]
    assert "KeyError: 'track'" in line["exception"]
    assert [entry["event"] for entry in logged if "message_id" in entry] == ["message.handled"]
    assert (stats.retried, queue.visibility, dlq.sent) == (1, [], [])


async def test_permanent_errors_and_poison_go_to_the_dlq_with_their_reason(
    time: VirtualTime, lines: Callable[[], list[dict[str, Any]]]
) -> None:
    async def reject(message: Job, received: ReceivedMessage) -> None:
        raise PermanentError(f"job {message.n} has an unknown shape")

    queue = MemoryQueue("work", time, ["{not json", job(7)])
    dlq = MemoryQueue("dlq", time)
    w = worker(time, queue, dlq, config(exit_when_idle=1, wait_seconds=1), handler=reject)
    stats = await time.run(w.run())
    reasons = {m.body: m.attributes["error.reason"] for m in dlq.sent}
    assert reasons[job(7)] == "job 7 has an unknown shape"
    assert reasons["{not json"].startswith("invalid Job message")
    assert (stats.dead_lettered, sorted(queue.deleted)) == (2, ["m0", "m1"])
    outcomes = sorted(line["outcome"] for line in handled(lines()))
    assert outcomes == ["dead_lettered", "poison"]


async def test_a_handler_adds_fields_and_metrics_to_its_one_line(
    time: VirtualTime, lines: Callable[[], list[dict[str, Any]]]
) -> None:
    async def rows(message: Job, received: ReceivedMessage) -> dict[str, object]:
        line = current_line()
        line.add(table="tracks")
        line.metric("RowsWritten", 10 * message.n)
        return {"n": message.n}

    queue, dlq = MemoryQueue("work", time, [job(1), job(2)]), MemoryQueue("dlq", time)
    w = worker(time, queue, dlq, config(exit_when_idle=1, wait_seconds=1), handler=rows)
    await time.run(w.run())
    logged = lines()
    by_id = {line["message_id"]: line for line in handled(logged)}
    assert {k: (v["n"], v["table"], v["RowsWritten"]) for k, v in by_id.items()} == {
        "m0": (1, "tracks", 10),
        "m1": (2, "tracks", 20),
    }
    names = [m["Name"] for m in by_id["m0"]["_aws"]["CloudWatchMetrics"][0]["Metrics"]]
    assert sorted(names) == ["HandleDuration", "MessagesFailed", "MessagesHandled", "RowsWritten"]
    ids = [entry.get("message_id") for entry in logged if "message_id" in entry]
    assert sorted(ids) == ["m0", "m1"]  # one line each, no second line


async def test_a_batch_summary_is_logged_once_and_each_message_once(
    time: VirtualTime, lines: Callable[[], list[dict[str, Any]]]
) -> None:
    async def coalesce(items: Sequence[tuple[Job, ReceivedMessage]]) -> BatchOutcome:
        for message, received in items:
            line_of(received).add(partition=f"n={message.n}")
        failed = {r.message_id: PermanentError("odd") for m, r in items if m.n % 2}
        return BatchOutcome(failures=failed, summary={"new_partitions": 2})

    queue = MemoryQueue("work", time, [job(n) for n in range(4)])
    dlq = MemoryQueue("dlq", time)
    w = worker(
        time,
        queue,
        dlq,
        config(exit_when_idle=1, wait_seconds=1, max_in_flight=10),
        batch_handler=coalesce,
    )
    stats = await time.run(w.run())
    logged = lines()
    [batch] = [line for line in logged if line["event"] == "batch.handled"]
    assert (batch["messages"], batch["failed"], batch["new_partitions"]) == (4, 2, 2)
    messages = handled(logged)
    assert sorted(line["message_id"] for line in messages) == ["m0", "m1", "m2", "m3"]
    assert all("new_partitions" not in line for line in messages)  # not copied N times
    assert {line["batch"] for line in messages} == {batch["batch"]}
    assert {line["message_id"]: line["partition"] for line in messages} == {
        f"m{n}": f"n={n}" for n in range(4)
    }
    assert (stats.handled, stats.dead_lettered) == (2, 2)


def test_line_helpers_outside_a_worker_give_a_detached_line() -> None:
    current_line().add(ignored=True)  # a handler called by a test or a script
    line_of(ReceivedMessage("m", "rh", "{}", {}, 1, 0)).metric("X", 1)


class RefusingQueue(MemoryQueue):
    """SQS refusing a call: ``change_visibility`` or ``send`` raise the error tree's
    ``TransientError``, as the adapter translates a ClientError."""

    def __init__(self, *args: Any, refuse: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.refuse = refuse

    async def change_visibility(self, receipt_handles: Sequence[str], seconds: int) -> None:
        if self.refuse == "change_visibility" and seconds > 0:
            raise TransientError("ChangeMessageVisibility refused: AccessDenied")
        await super().change_visibility(receipt_handles, seconds)

    async def send(self, messages: Sequence[OutgoingMessage]) -> None:
        if self.refuse == "send":
            raise TransientError("SendMessageBatch refused: KMS.DisabledException")
        await super().send(messages)


async def test_a_refused_retry_delay_is_on_the_line_as_settle_failed_and_the_message_kept(
    time: VirtualTime, lines: Callable[[], list[dict[str, Any]]]
) -> None:
    """The delay could not be set: the message comes back after its visibility timeout
    (30 s, not the 3 s asked for), and the line says why."""
    attempts: list[float] = []

    async def rate_limited(message: Job, received: ReceivedMessage) -> None:
        attempts.append(time.now)
        if len(attempts) == 1:
            raise TransientError("rate limited", retry_after=3)

    queue = RefusingQueue("work", time, [job(1)], refuse="change_visibility")
    dlq = MemoryQueue("dlq", time)
    w = worker(time, queue, dlq, config(exit_when_idle=40), handler=rate_limited)
    stats = await time.run(w.run())
    assert attempts == [0.0, 30.0]
    first, second = handled(lines())
    assert (first["outcome"], first["settle_failed"]) == (
        "retry",
        "ChangeMessageVisibility refused: AccessDenied",
    )
    assert second["outcome"] == "handled"
    assert "settle_failed" not in second
    assert (stats.handled, queue.deleted) == (1, ["m0"])


async def test_a_refused_dead_letter_is_on_the_line_as_settle_failed_and_the_message_kept(
    time: VirtualTime, lines: Callable[[], list[dict[str, Any]]]
) -> None:
    """The DLQ refused the copy: the message is not deleted (never lost), the line says why."""

    async def broken(message: Job, received: ReceivedMessage) -> None:
        raise PermanentError("unknown shape")

    queue = MemoryQueue("work", time, [job(1)])
    dlq = RefusingQueue("dlq", time, refuse="send")
    w = worker(time, queue, dlq, config(wait_seconds=1), handler=broken)
    time.at(5, w.stop)
    await time.run(w.run())
    [line] = handled(lines())
    assert (line["outcome"], line["settle_failed"]) == (
        "dead_lettered",
        "SendMessageBatch refused: KMS.DisabledException",
    )
    assert (queue.deleted, dlq.sent, list(queue.stored)) == ([], [], ["m0"])

"""The shared worker against a real moto server: delete, retry, dead-letter, drain.

Timing (heartbeat, retry delays, grace) is tested in virtual time in
tests/unit/common/test_worker_loop.py; the SIGTERM path of a real process in
test_worker_processes.py.
"""

from __future__ import annotations

import asyncio
import json

import pytest
from pydantic import BaseModel
from spotify_etl_common.errors import PermanentError, TransientError
from spotify_etl_common.sqs import ReceivedMessage
from spotify_etl_common.worker import Worker, WorkerConfig

from tests.conftest import LocalAws

from .conftest import Queues, make_queues

pytestmark = pytest.mark.integration


class Job(BaseModel):
    n: int
    mode: str = "ok"


def body(n: int, mode: str = "ok") -> str:
    return json.dumps({"n": n, "mode": mode})


def fast(**overrides: object) -> WorkerConfig:
    base: dict[str, object] = {
        "max_in_flight": 10,
        "visibility_timeout": 30,
        "wait_seconds": 1,
        "exit_when_idle": 1.5,
        "shutdown_grace": 5,
    }
    return WorkerConfig(**(base | overrides))  # type: ignore[arg-type]


class Recorder:
    """A handler that records calls and fails as each job's mode says."""

    def __init__(self, delay: float = 0.0) -> None:
        self.calls: list[int] = []
        self.delay = delay

    async def __call__(self, job: Job, received: ReceivedMessage) -> dict[str, object]:
        self.calls.append(job.n)
        if self.delay:
            await asyncio.sleep(self.delay)
        if job.mode == "transient":
            raise TransientError("upstream throttled", retry_after=0)
        if job.mode == "permanent":
            raise PermanentError(f"job {job.n} has an unknown shape")
        return {"n": job.n}


async def test_handled_messages_are_deleted(queues: Queues) -> None:
    await queues.send_bodies(*(body(n) for n in range(25)))
    handler = Recorder()
    stats = await Worker(queues.work, queues.dlq, Job, handler, fast()).run()
    assert sorted(handler.calls) == list(range(25))
    assert stats.handled == 25
    depth = await queues.work.depth()
    assert (depth.visible, depth.in_flight) == (0, 0)
    assert await queues.drain(queues.dlq) == []


async def test_poison_body_and_permanent_error_go_to_dlq_at_once_with_reason(
    queues: Queues,
) -> None:
    await queues.work.send([])  # an empty send is a no-op, not an error
    await queues.send_bodies("{not json", json.dumps({"n": "x"}), body(7, "permanent"), body(8))
    handler = Recorder()
    stats = await Worker(queues.work, queues.dlq, Job, handler, fast()).run()
    assert stats.dead_lettered == 3
    assert stats.handled == 1
    dead = await queues.dlq.receive(10, 1, 30)
    reasons = {m.body: m.attributes for m in dead}
    assert set(reasons) == {"{not json", json.dumps({"n": "x"}), body(7, "permanent")}
    assert "invalid Job message" in reasons["{not json"]["error.reason"]
    assert "n: Input should be a valid integer" in reasons[json.dumps({"n": "x"})]["error.reason"]
    assert reasons[body(7, "permanent")]["error.reason"] == "job 7 has an unknown shape"
    assert reasons[body(7, "permanent")]["error.type"] == "PermanentError"
    assert all(a["error.source_queue"] == queues.work.name for a in reasons.values())
    # each was received once: dead-lettered at once, not after maxReceiveCount
    assert all(a["error.receive_count"] == "1" for a in reasons.values())
    assert (await queues.work.depth()).visible == 0


async def test_original_attributes_travel_to_the_dlq(queues: Queues) -> None:
    from spotify_etl_common.sqs import OutgoingMessage

    await queues.work.send([OutgoingMessage(body(1, "permanent"), {"source": "albums"})])
    await Worker(queues.work, queues.dlq, Job, Recorder(), fast()).run()
    [dead] = await queues.dlq.receive(10, 1, 30)
    assert dead.attributes["source"] == "albums"
    assert dead.attributes["error.reason"] == "job 1 has an unknown shape"


async def test_transient_errors_are_retried_then_redriven_to_the_dlq(aws_env: LocalAws) -> None:
    """Retried until the queue's redrive policy moves it (retry_after=0: visible again at once)."""
    async for queues in make_queues(aws_env, max_receive_count=3):
        await queues.send_bodies(body(1, "transient"))
        handler = Recorder()
        stats = await Worker(queues.work, queues.dlq, Job, handler, fast()).run()
        # received maxReceiveCount times, then SQS itself dead-lettered it
        assert handler.calls == [1, 1, 1]
        assert stats.retried == 3
        dead = await queues.dlq.receive(10, 2, 30)
        assert [m.body for m in dead] == [body(1, "transient")]


async def test_stop_while_messages_are_in_flight_gives_every_one_back(queues: Queues) -> None:
    sent = [body(n) for n in range(30)]
    await queues.send_bodies(*sent)
    handler = Recorder(delay=3.0)  # the grace below lets none of them finish
    config = fast(max_in_flight=10, exit_when_idle=None, shutdown_grace=0.5)
    worker = Worker(queues.work, queues.dlq, Job, handler, config)

    async def terminate_soon() -> None:
        while len(handler.calls) < 10:
            await asyncio.sleep(0.05)
        worker.stop()  # what SIGTERM does through serve()

    killer = asyncio.create_task(terminate_soon())
    stats = await worker.run()
    await killer
    assert stats.handled == 0
    assert stats.given_back >= 10
    # every message is back on the queue, visible now, none lost or dead-lettered
    remaining = await queues.drain(queues.work)
    assert sorted(remaining) == sorted(sent)
    assert await queues.drain(queues.dlq) == []


async def test_stop_lets_short_work_finish_and_deletes_it(queues: Queues) -> None:
    sent = [body(n) for n in range(20)]
    await queues.send_bodies(*sent)
    handler = Recorder(delay=0.5)
    config = fast(max_in_flight=5, exit_when_idle=None, shutdown_grace=5)
    worker = Worker(queues.work, queues.dlq, Job, handler, config)

    async def terminate_soon() -> None:
        while len(handler.calls) < 5:
            await asyncio.sleep(0.01)
        worker.stop()  # what SIGTERM does through serve()

    killer = asyncio.create_task(terminate_soon())
    stats = await worker.run()
    await killer
    remaining = await queues.drain(queues.work)
    handled = {body(n) for n in handler.calls}
    assert stats.handled == len(handler.calls) >= 5
    # finished work was deleted; the rest is visible; together they are all that was sent
    assert handled.isdisjoint(remaining)
    assert sorted([*handled, *remaining]) == sorted(sent)


async def test_idle_exit_waits_for_messages_held_invisible_elsewhere(queues: Queues) -> None:
    await queues.send_bodies(body(1))
    held = await queues.work.receive(1, 1, visibility_timeout=3)  # another consumer's
    assert len(held) == 1
    handler = Recorder()
    stats = await Worker(queues.work, queues.dlq, Job, handler, fast(exit_when_idle=1)).run()
    # it did not leave after 1 s of empty receives: it stayed until the message came back
    assert handler.calls == [1]
    assert stats.handled == 1

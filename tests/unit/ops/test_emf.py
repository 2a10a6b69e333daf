"""The worker's one summary line per message is valid CloudWatch EMF.

CloudWatch turns a JSON log line into metrics only if every metric named in
``_aws.CloudWatchMetrics[].Metrics`` is a top-level number and every
dimension is a top-level string. The dashboard reads namespace ``SpotifyEtl``
with the dimension ``Service``.
"""

from __future__ import annotations

import asyncio
import io
import json
from collections.abc import Sequence
from typing import Any, cast

from pydantic import BaseModel
from spotify_etl_common.errors import PermanentError
from spotify_etl_common.logs import configure_logging
from spotify_etl_common.metrics import NAMESPACE
from spotify_etl_common.sqs import OutgoingMessage, QueueDepth, ReceivedMessage, SqsQueue
from spotify_etl_common.worker import Worker, WorkerConfig


class FakeQueue(SqsQueue):
    """An in-memory queue with the adapter's interface (our own port, with state)."""

    def __init__(self, name: str, bodies: Sequence[str] = ()) -> None:
        super().__init__(cast(Any, None), f"https://sqs.local/000000000000/{name}")
        self.waiting = [
            ReceivedMessage(f"id-{i}", f"rh-{i}", body, {}, 1, 0) for i, body in enumerate(bodies)
        ]
        self.sent: list[OutgoingMessage] = []
        self.deleted: list[str] = []

    async def receive(
        self, max_messages: int = 10, wait_seconds: int = 20, visibility_timeout: int = 60
    ) -> list[ReceivedMessage]:
        batch, self.waiting = self.waiting[:max_messages], self.waiting[max_messages:]
        await asyncio.sleep(0 if batch else 0.01)  # a real long poll yields to the handlers
        return batch

    async def send(self, messages: Sequence[OutgoingMessage]) -> None:
        self.sent.extend(messages)

    async def delete(self, receipt_handles: Sequence[str]) -> None:
        self.deleted.extend(receipt_handles)

    async def change_visibility(self, receipt_handles: Sequence[str], seconds: int) -> None:
        return None

    async def depth(self) -> QueueDepth:
        return QueueDepth(visible=len(self.waiting), in_flight=0, delayed=0)


class Job(BaseModel):
    n: int


async def fail_odd(job: Job, received: ReceivedMessage) -> dict[str, object]:
    if job.n % 2:
        raise PermanentError(f"job {job.n} is odd")
    return {"rows": job.n}


async def summary_lines(bodies: Sequence[str]) -> list[dict[str, Any]]:
    stream = io.StringIO()
    configure_logging("transformer", "INFO", stream=stream, json=True)
    queue, dlq = FakeQueue("work", bodies), FakeQueue("work-dlq")
    config = WorkerConfig(wait_seconds=0, exit_when_idle=0.05, shutdown_grace=1)
    await Worker(queue, dlq, Job, fail_odd, config, service="transformer").run()
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    return [line for line in lines if line.get("event") == "message.handled"]


def assert_valid_emf(line: dict[str, Any]) -> list[str]:
    """Check one line against the EMF specification; returns its metric names."""
    aws = line["_aws"]
    assert isinstance(aws["Timestamp"], int)
    names: list[str] = []
    for directive in aws["CloudWatchMetrics"]:
        assert directive["Namespace"] == NAMESPACE
        for dimension_set in directive["Dimensions"]:
            for dimension in dimension_set:
                assert isinstance(line[dimension], str)
        for metric in directive["Metrics"]:
            value = line[metric["Name"]]
            assert isinstance(value, int | float)
            assert not isinstance(value, bool)
            assert metric["Unit"] in {"Count", "Milliseconds", "Seconds", "Bytes", "None"}
            names.append(metric["Name"])
    return names


async def test_each_handled_message_logs_one_valid_emf_line() -> None:
    lines = await summary_lines([json.dumps({"n": n}) for n in (2, 4, 6)])
    assert len(lines) == 3
    for line in lines:
        assert assert_valid_emf(line) == ["MessagesHandled", "MessagesFailed", "HandleDuration"]
        assert line["_aws"]["CloudWatchMetrics"][0]["Dimensions"] == [["Service"]]
        assert line["Service"] == "transformer"
        assert (line["MessagesHandled"], line["MessagesFailed"]) == (1, 0)
        assert line["HandleDuration"] >= 0
    assert sorted(line["rows"] for line in lines) == [2, 4, 6]


async def test_failed_and_poison_messages_count_as_failed_in_valid_emf() -> None:
    lines = await summary_lines([json.dumps({"n": 1}), "not json"])
    outcomes = sorted(line["outcome"] for line in lines)
    assert outcomes == ["dead_lettered", "poison"]
    for line in lines:
        assert_valid_emf(line)
        assert (line["MessagesHandled"], line["MessagesFailed"]) == (0, 1)

"""Dead letters against moto: list, show, and redrive that loses and duplicates nothing."""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from collections.abc import AsyncIterator, Sequence

import pytest
from spotify_etl.dlq.letters import ORIGINAL_ID
from spotify_etl.dlq.redrive import redrive_by_copy
from spotify_etl_common.aws import sqs_client
from spotify_etl_common.settings import CommonSettings
from spotify_etl_common.sqs import SqsQueue

from .conftest import Ops, run_cli

pytestmark = pytest.mark.integration

LETTERS = 25


def reason(n: int) -> dict[str, str]:
    return {
        "error.reason": f"raw object {n} has an unknown shape",
        "error.type": "PermanentError",
        "error.source_queue": "transform",
        "error.failed_at": "2026-11-24T01:00:00+00:00",
        "error.receive_count": "1",
        "trace": f"t{n}",
    }


@pytest.fixture
def dead_letters(ops: Ops) -> list[str]:
    dlq = ops.url("transform", dlq=True)
    for n in range(LETTERS):
        ops.send(dlq, json.dumps({"n": n}), reason(n))
    return [json.dumps({"n": n}) for n in range(LETTERS)]


def depth(ops: Ops, url: str) -> tuple[int, int]:
    attrs = ops.sqs.get_queue_attributes(
        QueueUrl=url,
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return int(attrs["ApproximateNumberOfMessages"]), int(
        attrs["ApproximateNumberOfMessagesNotVisible"]
    )


def assert_redriven_once_each(ops: Ops, moved: Sequence[dict[str, object]]) -> None:
    bodies = Counter(str(m["Body"]) for m in moved)
    assert bodies == Counter({json.dumps({"n": n}): 1 for n in range(LETTERS)})
    for message in moved:
        attributes = message["MessageAttributes"]
        assert isinstance(attributes, dict)
        assert not [k for k in attributes if k.startswith("error.")]
        assert set(attributes) == {"trace", ORIGINAL_ID}
    assert len({m["MessageAttributes"][ORIGINAL_ID]["StringValue"] for m in moved}) == LETTERS  # type: ignore[index]


def test_list_shows_every_letter_with_reason_and_gives_them_back(
    ops: Ops, dead_letters: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_cli("dlq", "list", "--queue", "transform") == 0
    rows = capsys.readouterr().out.splitlines()[1:]
    assert len(rows) == LETTERS
    assert all("2026-11-24T01:00:00+00:00" in r and "has an unknown shape" in r for r in rows)
    assert depth(ops, ops.url("transform", dlq=True)) == (LETTERS, 0)


def test_show_prints_the_body_and_all_attributes_of_one_letter(
    ops: Ops, dead_letters: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_cli("dlq", "list", "--queue", "transform", "--json") == 0
    listed = json.loads(capsys.readouterr().out)
    target = next(item for item in listed if item["body"] == json.dumps({"n": 7}))
    assert run_cli("dlq", "show", "--queue", "transform", target["message_id"]) == 0
    out = capsys.readouterr().out
    assert "error.reason: raw object 7 has an unknown shape" in out
    assert "error.receive_count: 1" in out
    assert '"n": 7' in out
    assert run_cli("dlq", "show", "--queue", "transform", "no-such-id") == 1


def test_redrive_moves_every_letter_once_and_empties_the_dlq(
    ops: Ops, dead_letters: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_cli("dlq", "redrive", "--queue", "transform") == 0
    assert f"moved {LETTERS} letters" in capsys.readouterr().out
    assert depth(ops, ops.url("transform", dlq=True)) == (0, 0)
    assert_redriven_once_each(ops, ops.drain(ops.url("transform")))


def test_dry_run_moves_nothing(
    ops: Ops, dead_letters: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_cli("dlq", "redrive", "--queue", "transform", "--dry-run") == 0
    assert f"would move {LETTERS} letters" in capsys.readouterr().out
    assert depth(ops, ops.url("transform", dlq=True)) == (LETTERS, 0)
    assert depth(ops, ops.url("transform")) == (0, 0)


def test_redrive_stopped_after_n_then_resumed_loses_and_duplicates_nothing(
    ops: Ops, dead_letters: list[str]
) -> None:
    assert run_cli("dlq", "redrive", "--queue", "transform", "--max", "7") == 0
    assert depth(ops, ops.url("transform", dlq=True)) == (LETTERS - 7, 0)
    assert depth(ops, ops.url("transform")) == (7, 0)
    assert run_cli("dlq", "redrive", "--queue", "transform") == 0
    assert depth(ops, ops.url("transform", dlq=True)) == (0, 0)
    assert_redriven_once_each(ops, ops.drain(ops.url("transform")))


class CrashingDelete(SqsQueue):
    """The DLQ, but the process 'dies' on the second delete: after a send, before its delete."""

    def __init__(self, queue: SqsQueue) -> None:
        super().__init__(queue.client, queue.url)
        self.deletes = 0

    async def delete(self, receipt_handles: Sequence[str]) -> None:
        self.deletes += 1
        if self.deletes == 2:
            raise KeyboardInterrupt("operator pressed Ctrl-C")
        await super().delete(receipt_handles)


@pytest.fixture
async def queues(ops: Ops) -> AsyncIterator[tuple[SqsQueue, SqsQueue]]:
    settings = CommonSettings.model_validate(ops.aws.env(ops.stack.names))
    async with sqs_client(settings) as client:
        yield (
            SqsQueue(client, ops.url("transform", dlq=True)),
            SqsQueue(client, ops.url("transform")),
        )


async def test_redrive_interrupted_between_send_and_delete_loses_nothing(
    ops: Ops, dead_letters: list[str], queues: tuple[SqsQueue, SqsQueue]
) -> None:
    """The at-least-once window: the interrupted batch is delivered twice, nothing is lost."""
    dlq, work = queues
    with pytest.raises(KeyboardInterrupt):
        await redrive_by_copy(CrashingDelete(dlq), work, visibility_timeout=1)
    await asyncio.sleep(1.2)  # the undeleted batch becomes visible again
    started = time.monotonic()
    moved = await redrive_by_copy(dlq, work, visibility_timeout=1)
    assert time.monotonic() - started < 30
    assert moved == LETTERS - 10
    assert depth(ops, ops.url("transform", dlq=True)) == (0, 0)
    delivered = ops.drain(ops.url("transform"))
    counts = Counter(m["Body"] for m in delivered)
    assert set(counts) == set(dead_letters)
    assert sorted(counts.values()) == [1] * (LETTERS - 10) + [2] * 10
    copies = Counter(m["MessageAttributes"][ORIGINAL_ID]["StringValue"] for m in delivered)
    assert len(copies) == LETTERS
    assert all(
        copies[k] == counts[b]
        for k, b in (
            (m["MessageAttributes"][ORIGINAL_ID]["StringValue"], m["Body"]) for m in delivered
        )
    )

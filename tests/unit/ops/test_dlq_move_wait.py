"""``dlq redrive``'s wait on a server-side move task, in virtual time (nothing sleeps for real)."""

from __future__ import annotations

from typing import Any, cast

from spotify_etl.dlq.redrive import wait_move_task
from spotify_etl_common.sqs_moves import MoveTask, MoveTasks

ARN = "arn:aws:sqs:eu-west-1:000000000000:transform-dlq"


class ScriptedMoveTasks(MoveTasks):
    """Our port with state: each ``newest`` answers the next task state of the script."""

    def __init__(self, script: list[MoveTask | None]) -> None:
        super().__init__(cast(Any, None))
        self.script = script
        self.asked: list[str] = []

    async def newest(self, source_arn: str) -> MoveTask | None:
        self.asked.append(source_arn)
        return self.script.pop(0)


async def test_the_wait_polls_at_its_interval_until_the_task_ends_and_reports_progress() -> None:
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    done = MoveTask("COMPLETED", 10)
    tasks = ScriptedMoveTasks([None, MoveTask("RUNNING", 3), MoveTask("RUNNING", 7), done])
    progress: list[int] = []
    result = await wait_move_task(tasks, ARN, progress.append, poll_seconds=2.0, sleep=sleep)
    assert result == done
    assert slept == [2.0, 2.0, 2.0]  # not yet listed, running, running; none after the end
    assert progress == [3, 7, 10]
    assert tasks.asked == [ARN] * 4


async def test_a_failed_task_is_returned_with_its_reason_at_once() -> None:
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    failed = MoveTask("FAILED", 4, "AccessDenied on the destination")
    result = await wait_move_task(ScriptedMoveTasks([failed]), ARN, sleep=sleep)
    assert (result, slept) == (failed, [])

"""``run-local``'s watch loop: progress lines until the queues stay empty, with or without
an extractor (``--no-extract`` drains what replay, redrive or an import queued)."""

from __future__ import annotations

from collections import deque

from spotify_etl.pipeline.watch import SETTLE_POLLS, progress_line, watch
from spotify_etl_common.sqs import QueueDepth


class FakeQueue:
    """Depths served in order; the last one repeats."""

    def __init__(self, *depths: tuple[int, int]) -> None:
        self.depths = deque(QueueDepth(visible=v, in_flight=f, delayed=0) for v, f in depths)

    async def depth(self) -> QueueDepth:
        return self.depths.popleft() if len(self.depths) > 1 else self.depths[0]


class FakeProcess:
    """Runs for ``polls`` polls, then exits with ``code``."""

    def __init__(self, polls: int, code: int = 0) -> None:
        self.polls = polls
        self.code = code
        self.returncode: int | None = None

    def poll(self) -> int | None:
        self.polls -= 1
        if self.polls < 0:
            self.returncode = self.code
        return self.returncode


async def run(
    queues: dict[str, FakeQueue],
    extractor: FakeProcess | None,
    workers: dict[str, FakeProcess],
    dead: dict[str, FakeQueue | None] | None = None,
) -> tuple[int, list[str], int]:
    lines: list[str] = []
    sleeps: list[float] = []

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)

    code = await watch(queues, dead or {}, extractor, workers, lines.append, sleep)
    return code, lines, len(sleeps)


def test_progress_line_leaves_the_extractor_out_when_it_was_not_run() -> None:
    depths = {"transform": QueueDepth(3, 1, 0), "catalog": QueueDepth(0, 0, 0)}
    assert progress_line(None, depths) == (
        "transform queue: 3 waiting, 1 in flight; catalog queue: 0 waiting, 0 in flight"
    )
    assert progress_line(True, depths).startswith("extractor running; transform queue: 3")
    assert progress_line(False, depths).startswith("extractor done; ")


async def test_without_an_extractor_the_loop_drains_the_queues_then_settles() -> None:
    queues = {"transform": FakeQueue((5, 0), (2, 3), (0, 0)), "catalog": FakeQueue((0, 0))}
    code, lines, polls = await run(queues, None, {"transformer": FakeProcess(polls=100)})
    assert code == 0
    assert lines == [
        "transform queue: 5 waiting, 0 in flight; catalog queue: 0 waiting, 0 in flight",
        "transform queue: 2 waiting, 3 in flight; catalog queue: 0 waiting, 0 in flight",
        "transform queue: 0 waiting, 0 in flight; catalog queue: 0 waiting, 0 in flight",
    ]
    assert polls == 2 + SETTLE_POLLS  # two busy polls, then the quiet ones


async def test_a_running_extractor_keeps_the_loop_going_even_with_empty_queues() -> None:
    queues = {"transform": FakeQueue((0, 0))}
    code, lines, polls = await run(queues, FakeProcess(polls=4), {})
    assert code == 0
    assert lines[0].startswith("extractor running;")
    assert lines[-1].startswith("extractor done;")
    assert polls == 4 + SETTLE_POLLS


async def test_a_worker_that_stops_on_its_own_fails_the_run() -> None:
    queues = {"transform": FakeQueue((3, 0))}
    code, lines, _ = await run(queues, None, {"cataloger": FakeProcess(polls=1, code=3)})
    assert code == 1
    assert lines[-1] == "cataloger stopped unexpectedly with exit code 3"


async def test_dead_letters_left_behind_are_pointed_out() -> None:
    queues = {"transform": FakeQueue((0, 0))}
    dead: dict[str, FakeQueue | None] = {"transform": FakeQueue((2, 0)), "catalog": None}
    _, lines, _ = await run(queues, None, {}, dead)
    assert lines[-1] == (
        "transform dead-letter queue holds messages: `spotify-etl dlq list --queue transform`"
    )

"""Backoff, Retry-After parsing and the client-side rolling-window limiter."""

from __future__ import annotations

import random
from datetime import UTC, datetime

from extractor.spotify.limiter import RollingWindowLimiter
from extractor.spotify.retry import RetryPolicy, backoff_delay, parse_retry_after


def test_backoff_grows_exponentially_with_jitter_and_is_capped() -> None:
    policy = RetryPolicy(base_delay=0.5, max_delay=4.0)
    rng = random.Random(1)
    for attempt, ceiling in [(0, 0.5), (1, 1.0), (2, 2.0), (3, 4.0), (10, 4.0)]:
        delays = {backoff_delay(policy, attempt, rng) for _ in range(20)}
        assert all(ceiling / 2 <= d <= ceiling for d in delays)
        assert len(delays) > 1  # jittered


def test_retry_after_accepts_seconds_and_http_dates() -> None:
    now = datetime(2026, 11, 24, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after("Tue, 24 Nov 2026 12:00:30 GMT", now) == 30.0
    assert parse_retry_after(None) == 1.0
    assert parse_retry_after("soon") == 1.0


class Clock:
    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


async def test_limiter_admits_the_limit_then_waits_for_the_window_to_roll() -> None:
    clock = Clock()
    limiter = RollingWindowLimiter(3, 30.0, clock=clock, sleep=clock.sleep)
    starts = []
    for _ in range(7):
        async with limiter.slot():
            starts.append(clock.now)
    assert starts == [0.0, 0.0, 0.0, 30.0, 30.0, 30.0, 60.0]


async def test_a_request_counts_until_a_window_after_its_answer() -> None:
    """The server saw it somewhere between sending and answer: count from the answer."""
    clock = Clock()
    limiter = RollingWindowLimiter(1, 30.0, clock=clock, sleep=clock.sleep)
    async with limiter.slot():
        clock.now += 2.5  # a slow answer
    async with limiter.slot():
        assert clock.now == 32.5


async def test_limiter_pause_holds_every_request_after_a_429() -> None:
    clock = Clock()
    limiter = RollingWindowLimiter(100, 30.0, clock=clock, sleep=clock.sleep)
    async with limiter.slot():
        limiter.pause(12.0)
    async with limiter.slot():
        assert clock.now == 12.0

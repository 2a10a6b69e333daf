"""Client-side pacing: a rolling-window limiter shared by every request of a run.

At most ``limit`` requests count in any ``window`` seconds, which keeps a run
under Spotify's rolling 30-second window instead of bouncing off it. A request
counts from when it is sent until ``window`` seconds after its answer arrived:
the server saw it somewhere in between, so however the network delays vary,
the server never sees more than ``limit`` requests in one of its windows.
A 429 pauses every request, not only the one that got it.

A 429 without ``Retry-After`` closes one shared gate (:meth:`rate_limited`):
nothing is sent until it reopens, first a whole window later (every request the
server counted has then rolled out of its window), then twice as long each
time a request sent after the reopening is refused again, up to ``cap``
(:func:`~extractor.spotify.retry.window_backoff`). The 429s of requests already in
flight when the gate closed say nothing new and do not lengthen it; an answer
other than 429 to a request sent after the reopening ends the streak.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from extractor.spotify.retry import window_backoff

_IN_FLIGHT_POLL = 0.05
"""Seconds between checks while every slot is held by a request still in flight."""


class RollingWindowLimiter:
    """At most ``limit`` requests in flight or finished in the last ``window`` seconds."""

    def __init__(
        self,
        limit: int,
        window: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        cap: float = 300.0,
    ) -> None:
        self.limit = limit
        self.window = window
        self.cap = cap
        """Longest shared wait after a 429 without Retry-After."""
        self._streak = 0
        self._gate_closed_at: float | None = None
        self._clock = clock
        self._sleep = sleep
        self._finished: deque[float] = deque()
        self._in_flight = 0
        self._paused_until = 0.0
        self._lock = asyncio.Lock()

    async def acquire(self) -> None:
        """Wait until one more request fits, then count it as in flight (FIFO among waiters)."""
        async with self._lock:
            while True:
                now = self._clock()
                if self._paused_until > now:
                    await self._sleep(self._paused_until - now)
                    continue
                while self._finished and self._finished[0] <= now - self.window:
                    self._finished.popleft()
                if self._in_flight + len(self._finished) < self.limit:
                    self._in_flight += 1
                    return
                if self._finished:
                    await self._sleep(self._finished[0] + self.window - now)
                else:
                    await self._sleep(_IN_FLIGHT_POLL)

    def release(self) -> None:
        """One request was answered: its slot stays taken for ``window`` more seconds."""
        self._in_flight -= 1
        self._finished.append(self._clock())

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """``async with limiter.slot():`` around one request."""
        await self.acquire()
        try:
            yield
        finally:
            self.release()

    def pause(self, seconds: float) -> None:
        """Hold every request for ``seconds`` (after a 429)."""
        self._paused_until = max(self._paused_until, self._clock() + seconds)

    def now(self) -> float:
        """The limiter's clock (a request's send time, for :meth:`rate_limited`)."""
        return self._clock()

    def rate_limited(self, sent_at: float) -> float:
        """A request sent at ``sent_at`` got a 429 without Retry-After: close the shared gate
        (longer if it was sent after the last reopening); seconds until it reopens."""
        now = self._clock()
        if self._gate_closed_at is None or sent_at > self._gate_closed_at:
            wait = window_backoff(self._streak, self.window, self.cap)
            self._streak += 1
            self._gate_closed_at = now
            self.pause(wait)
        return max(0.0, self._paused_until - now)

    def answered(self, sent_at: float) -> None:
        """A request sent at ``sent_at`` got through (not 429): a streak after it is over."""
        if self._gate_closed_at is not None and sent_at > self._gate_closed_at:
            self._streak = 0
            self._gate_closed_at = None

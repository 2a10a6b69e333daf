"""The run's circuit: once tripped, no request of the run starts, and queued ones stop at once.

It trips on what makes further Spotify work pointless for this run: a quota
hit, a ``Retry-After`` past the bound, an accounts service that stays down
(``cause`` is that error, a failure), or on the run deadline and SIGTERM (a
clean stop, ``cause`` None; also when a rate-limit wait would end past the
deadline, which is certain to cut the run anyway). The limiter and the client check it; waits for a
slot are raced against it, so nothing queued waits out a day-long pause.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from spotify_etl_common.errors import SpotifyEtlError

from extractor.spotify.errors import RunStopped

T = TypeVar("T")
DEADLINE = "the run deadline (EXTRACTOR_RUN_DEADLINE) passed"
"""The stop reason of a run that reached its deadline."""


class Circuit:
    """Run-scoped stop signal with an optional deadline (monotonic seconds)."""

    def __init__(
        self, deadline: float | None = None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._deadline = deadline
        self._clock = clock
        self._event = asyncio.Event()
        self.cause: SpotifyEtlError | None = None
        """The error that tripped the circuit (None for a deadline or a signal)."""
        self.stop_reason: str | None = None
        """Why the run stopped early, one line (None while it runs normally)."""
        self._ahead = False

    @property
    def tripped(self) -> bool:
        if self.stop_reason is None and self._past_deadline():
            self.stop_reason = DEADLINE
            self._event.set()
        return self.stop_reason is not None

    @property
    def deadline_reached(self) -> bool:
        """The run stopped at its deadline, or before it because a wait would end past it
        (not on a failure, not on a signal)."""
        return self.cause is None and (self.stop_reason == DEADLINE or self._ahead)

    def ends_within(self, seconds: float) -> bool:
        """Whether the deadline comes before ``seconds`` from now (never without one)."""
        return self._deadline is not None and self._clock() + seconds >= self._deadline

    def stop_ahead_of_deadline(self, why: str) -> None:
        """Stop now, as at the deadline: a wait ``why`` says would end past it anyway."""
        if self.stop_reason is None:
            self.stop_reason = why
            self._ahead = True
        self._event.set()

    def trip(self, error: SpotifyEtlError, why: str | None = None) -> None:
        """Stop the run because of ``error`` (the first cause wins).

        ``why`` is the short reason the stopped requests quote (without the URL
        of the request that met it); ``error.reason`` by default.
        """
        if self.stop_reason is None:
            self.cause = error
            self.stop_reason = why or error.reason
        self._event.set()

    def stop(self, reason: str) -> None:
        """Stop the run cleanly (deadline, SIGTERM): no new request starts."""
        if self.stop_reason is None:
            self.stop_reason = reason
        self._event.set()

    def check(self, what: str) -> None:
        """Raise :class:`RunStopped` naming ``what`` if the run stopped."""
        if self.tripped:
            raise RunStopped(f"{what} not sent: {self.stop_reason}", self.cause)

    async def race(self, awaitable: Awaitable[T], what: str) -> T:
        """Await ``awaitable`` unless the run stops first (then cancel it and raise)."""
        if self.tripped:
            if asyncio.iscoroutine(awaitable):
                awaitable.close()
            self.check(what)
        task = asyncio.ensure_future(awaitable)
        stopped = asyncio.ensure_future(self._event.wait())
        timeout = None if self._deadline is None else max(0.0, self._deadline - self._clock())
        try:
            done, _ = await asyncio.wait(
                {task, stopped}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
            )
        except asyncio.CancelledError:
            task.cancel()
            raise
        finally:
            stopped.cancel()
        if task in done:
            return task.result()
        if not self.tripped:  # the wait timed out at the deadline
            self.stop(DEADLINE)
        task.cancel()
        try:
            result = await task
        except asyncio.CancelledError:
            raise RunStopped(f"{what} not sent: {self.stop_reason}", self.cause) from None
        # finished while being cancelled: hand it over; the caller's next check() stops it
        return result

    def _past_deadline(self) -> bool:
        return self._deadline is not None and self._clock() >= self._deadline

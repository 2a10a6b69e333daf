"""Rolling-window rate limit of the fake: at most ``limit`` requests in any ``window`` seconds."""

from __future__ import annotations

import math
import threading
from collections import deque
from collections.abc import Callable


class RollingWindow:
    """Counts accepted requests in the last ``window`` seconds (thread-safe)."""

    def __init__(self, limit: int, window: float, clock: Callable[[], float]) -> None:
        self.limit = limit
        self.window = window
        self._clock = clock
        self._times: deque[float] = deque()
        self._lock = threading.Lock()

    def admit(self) -> float | None:
        """None if the request is admitted, else the seconds until a slot frees up."""
        if self.limit <= 0:
            return None
        with self._lock:
            now = self._clock()
            while self._times and self._times[0] <= now - self.window:
                self._times.popleft()
            if len(self._times) < self.limit:
                self._times.append(now)
                return None
            return self._times[0] + self.window - now


def retry_after_header(wait: float) -> str:
    """Whole seconds, at least 1, as Spotify sends ``Retry-After``."""
    return str(max(1, math.ceil(wait)))


QUOTA_RETRY_AFTER = 86_400
"""Retry-After of a quota hit: Spotify has been seen sending a whole day."""


class DailyQuota:
    """A developer account's daily request quota: after ``limit`` requests, every one is refused.

    ``limit`` 0 disables it. Since July 2026 Spotify answers such requests 429
    with ``"reason": "QUOTA_EXCEEDED"`` and a Retry-After of up to a day.
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.used = 0
        self._lock = threading.Lock()

    def spend(self) -> bool:
        """True if the request fits in the quota (and count it), False once exhausted."""
        if self.limit <= 0:
            return True
        with self._lock:
            if self.used >= self.limit:
                return False
            self.used += 1
            return True

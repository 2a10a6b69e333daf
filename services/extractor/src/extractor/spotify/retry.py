"""Retry decisions, pure: backoff delays and ``Retry-After`` parsing."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime


@dataclass(frozen=True)
class RetryPolicy:
    """How hard one request is retried."""

    max_attempts: int = 5
    """Attempts on 5xx, timeouts and connection errors."""
    base_delay: float = 0.5
    """First backoff step, seconds."""
    max_delay: float = 30.0
    """Longest single backoff, seconds."""
    max_retry_after: float = 120.0
    """Longest Retry-After waited out; longer is a TransientError carrying the delay."""
    max_rate_limited: int = 10
    """429 answers tolerated for one request before giving up."""


def backoff_delay(policy: RetryPolicy, attempt: int, rng: random.Random) -> float:
    """Exponential backoff with full jitter for retry number ``attempt`` (0-based)."""
    ceiling = min(policy.max_delay, policy.base_delay * 2**attempt)
    return rng.uniform(ceiling / 2, ceiling)


def window_backoff(streak: int, window: float, cap: float) -> float:
    """The shared wait after the ``streak``-th (0-based) 429 in a row without Retry-After.

    A rolling window forgets every request ``window`` seconds after it: the first
    wait is one window, then it doubles (someone else may be spending the app's
    window), never above ``cap``.
    """
    return min(cap, window * float(2 ** min(streak, 32)))


def parse_retry_after(value: str | None, now: datetime | None = None) -> float:
    """Seconds to wait from a ``Retry-After`` header (seconds or HTTP date); 1 if absent."""
    if not value:
        return 1.0
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return 1.0
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())

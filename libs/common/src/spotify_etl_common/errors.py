"""The error tree: the type of an error says whether a message is retried.

::

    SpotifyEtlError
    ├── TransientError      retry: leave the message on the queue, or give it
    │   │                   back with ``retry_after`` seconds of visibility delay
    │   └── (throttling, 5xx, timeouts, connection resets, Retry-After too long)
    └── PermanentError      never retry: the message goes to the dead-letter
        │                   queue at once, with ``reason`` as a message attribute
        └── (malformed or truncated JSON, unknown shape, missing object,
             4xx other than 429, failed validation)

Adapters translate library errors into this tree at the boundary (botocore's
in :mod:`spotify_etl_common.aws_errors`, ``httpx`` status errors in the
extractor's client); nothing past the boundary catches a library exception.
This module imports nothing but the standard library, so pure code can raise
these types without loading an AWS SDK.
"""

from __future__ import annotations

__all__ = ["PermanentError", "SpotifyEtlError", "TransientError"]


class SpotifyEtlError(Exception):
    """Base of every error this project raises on purpose."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class TransientError(SpotifyEtlError):
    """A failure that may succeed later; ``retry_after`` (seconds) if known."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


class PermanentError(SpotifyEtlError):
    """A failure that will fail again the same way: dead-letter it."""

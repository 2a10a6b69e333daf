"""The error tree: the type of an error says whether a message is retried.

::

    SpotifyEtlError
    ├── TransientError      retry: leave the message on the queue, or give it
    │   │                   back with ``retry_after`` seconds of visibility delay
    │   └── (throttling, 5xx, timeouts, connection resets, Retry-After too long)
    └── PermanentError      never retry: the message goes to the dead-letter
        │                   queue at once, with ``reason`` as a message attribute
        └── (malformed JSON, unknown shape, missing object, 4xx other than 429,
             failed validation)

Adapters translate library errors (botocore ``ClientError``, ``httpx`` status
errors) into this tree at the boundary; nothing past the boundary catches a
library exception.
"""

from __future__ import annotations

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    ReadTimeoutError,
)

# AWS error codes that mean "try again later" even though some arrive as 4xx.
_TRANSIENT_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottled",
        "RequestThrottledException",
        "TooManyRequestsException",
        "ProvisionedThroughputExceededException",
        "SlowDown",
        "RequestTimeout",
        "RequestTimeoutException",
        "InternalError",
        "InternalFailure",
        "ServiceUnavailable",
        "ServiceUnavailableException",
        "InternalServerException",
        "ConcurrentModificationException",
    }
)


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


def translate_client_error(error: ClientError, action: str) -> SpotifyEtlError:
    """Map a botocore ``ClientError`` to the tree; ``action`` says what was tried."""
    info = error.response.get("Error", {})
    code = str(info.get("Code", "Unknown"))
    message = str(info.get("Message", "")) or code
    status = int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0))
    reason = f"{action} failed: {code}: {message}"
    if code in _TRANSIENT_CODES or status >= 500 or status == 429:
        return TransientError(reason)
    return PermanentError(reason)


def translate_botocore_error(error: BotoCoreError, action: str) -> TransientError:
    """Connection-level botocore errors (no HTTP answer) are always transient."""
    kind = "timeout" if isinstance(error, ReadTimeoutError | ConnectTimeoutError) else "connection"
    if isinstance(error, EndpointConnectionError | ConnectionClosedError):
        kind = "connection"
    return TransientError(f"{action} failed ({kind} error): {error}")

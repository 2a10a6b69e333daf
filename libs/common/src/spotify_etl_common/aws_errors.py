"""The AWS boundary: botocore's errors translated into the error tree, in one place.

Every adapter wraps its calls in :func:`translating`::

    with translating(f"GET {uri}", missing=MISSING_OBJECT) as outcome:
        response = await client.get_object(Bucket=bucket, Key=key)
    if outcome.missing:
        ...

A ``ClientError`` whose code says "try again later" (throttling, 5xx, 429) and
every connection-level ``BotoCoreError`` become a :class:`TransientError`; any
other ``ClientError`` a :class:`PermanentError`. Codes the caller expects
(``missing``: the thing does not exist; ``tolerated``: e.g. it already exists)
are not errors: the block ends, and ``outcome.code`` says which one was met.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectTimeoutError,
    ReadTimeoutError,
)

from spotify_etl_common.errors import PermanentError, SpotifyEtlError, TransientError

TRANSIENT_CODES = frozenset(
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
"""AWS error codes that mean "try again later", even the ones that arrive as a 4xx."""

MISSING_OBJECT = frozenset({"NoSuchKey", "404", "NotFound"})
"""S3's answers for an object that does not exist (HEAD answers a bare 404)."""
ENTITY_NOT_FOUND = frozenset({"EntityNotFoundException"})
"""Glue's answer for a database, table or crawler that does not exist."""
ALREADY_EXISTS = frozenset({"AlreadyExistsException"})
"""Glue's answer to creating what is already there."""


def error_code(error: ClientError) -> str:
    """The AWS error code of a ``ClientError`` (``""`` when the answer has none)."""
    return str(error.response.get("Error", {}).get("Code", ""))


def http_status(error: ClientError) -> int:
    """The HTTP status of a ``ClientError`` (0 when unknown)."""
    return int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0))


def translate_client_error(error: ClientError, action: str) -> SpotifyEtlError:
    """Map a botocore ``ClientError`` to the tree; ``action`` says what was tried."""
    info = error.response.get("Error", {})
    code = str(info.get("Code", "Unknown"))
    message = str(info.get("Message", "")) or code
    status = http_status(error)
    reason = f"{action} failed: {code}: {message}"
    if code in TRANSIENT_CODES or status >= 500 or status == 429:
        return TransientError(reason)
    return PermanentError(reason)


def translate_botocore_error(error: BotoCoreError, action: str) -> TransientError:
    """Connection-level botocore errors (no HTTP answer) are always transient."""
    kind = "timeout" if isinstance(error, ReadTimeoutError | ConnectTimeoutError) else "connection"
    return TransientError(f"{action} failed ({kind} error): {error}")


@dataclass
class Outcome:
    """What a :func:`translating` block met: ``code`` is the expected error code, if any."""

    code: str | None = None
    missing_codes: Collection[str] = ()

    @property
    def missing(self) -> bool:
        """Whether the block ended on a "does not exist" answer."""
        return self.code is not None and self.code in self.missing_codes


@contextmanager
def translating(
    action: str,
    *,
    missing: Collection[str] = (),
    tolerated: Collection[str] = (),
) -> Iterator[Outcome]:
    """Run AWS calls; raise library errors as the tree, swallow the expected codes.

    ``action`` names what was tried ("GET s3://bucket/key"); it starts the
    error's reason. A ``ClientError`` whose code is in ``missing`` or
    ``tolerated`` ends the block quietly and is recorded on the outcome.
    """
    outcome = Outcome(missing_codes=missing)
    try:
        yield outcome
    except ClientError as error:
        code = error_code(error)
        if code in missing or code in tolerated:
            outcome.code = code
            return
        raise translate_client_error(error, action) from error
    except BotoCoreError as error:
        raise translate_botocore_error(error, action) from error

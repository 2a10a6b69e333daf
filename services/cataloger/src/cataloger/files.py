"""Is each announced file there, and is it the Parquet file the message says?

Checked before anything is registered, so a message for a file that does not
exist (or is not Parquet, or sits under another table or day) is poison: a
``PermanentError`` with its reason, and no partition for nothing.

Gather (``HeadObject`` for the size, then a ranged GET of the last 8 bytes:
the footer length and the ``PAR1`` magic), decide (:func:`file_problem`,
pure), and the batch leaves out what failed.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING

from spotify_etl_common.aws_errors import MISSING_OBJECT, translating
from spotify_etl_common.errors import PermanentError
from spotify_etl_common.keys import parse_curated_key
from spotify_etl_common.messages import TableFileWritten

if TYPE_CHECKING:
    from types_aiobotocore_s3 import S3Client

PARQUET_MAGIC = b"PAR1"
FOOTER_TAIL = 8
"""A Parquet file ends with the footer's length (4 bytes, little-endian) and ``PAR1``."""
FORBIDDEN = frozenset({"403", "AccessDenied", "Forbidden"})
"""S3's HEAD answers for a key it will not show: missing without s3:ListBucket, or denied."""
SMALLEST_PARQUET = 12
"""``PAR1``, an empty footer's length and ``PAR1``: nothing shorter is Parquet."""


@dataclass(frozen=True, slots=True)
class FileProbe:
    """What S3 says about one announced file."""

    size: int
    tail: bytes
    """The last (up to) 8 bytes."""


def _uri(message: TableFileWritten) -> str:
    return f"s3://{message.bucket}/{message.key}"


def key_problem(message: TableFileWritten) -> str | None:
    """Why the key of ``message`` is not a file of its table and partition, or None."""
    uri = _uri(message)
    parts = parse_curated_key(message.key)
    if parts is None or parts.table != message.table:
        return (
            f"{uri} is not a file of table {message.table} (curated/{message.table}/dt=<day>/"
            "...parquet): fix the producer, then redrive"
        )
    day = parts.day.isoformat()
    if message.partition.get("dt") != day:
        return f"{uri} lies in dt={day}, but the message says partition {message.partition}"
    return None


def file_problem(message: TableFileWritten, probe: FileProbe | None) -> str | None:
    """Why the file of ``message`` must not be registered, or None when it is sound."""
    return key_problem(message) or _body_problem(_uri(message), probe)


def _body_problem(uri: str, probe: FileProbe | None) -> str | None:
    if probe is None:
        return (
            f"{uri} does not exist: the file was announced but not written, or deleted since; "
            "replay its raw object (spotify-etl replay --stage transform), then drop this message"
        )
    if probe.size < SMALLEST_PARQUET or probe.tail[-4:] != PARQUET_MAGIC:
        return f"{uri} is not a Parquet file ({probe.size} bytes, no PAR1 footer)"
    footer = int.from_bytes(probe.tail[:4], "little")
    if footer + SMALLEST_PARQUET > probe.size:
        return (
            f"{uri} is a truncated Parquet file (a footer of {footer} bytes in {probe.size} bytes)"
        )
    return None


class CuratedFiles:
    """Probes announced files in S3, a few at a time."""

    def __init__(self, s3: S3Client, concurrency: int = 16) -> None:
        self.s3 = s3
        self._limit = asyncio.Semaphore(concurrency)

    async def probe(self, bucket: str, key: str) -> FileProbe | None:
        """Size and last bytes of ``s3://bucket/key``; None when it does not exist."""
        uri = f"s3://{bucket}/{key}"
        async with self._limit:
            with translating(
                f"HEAD {uri}", missing=MISSING_OBJECT, tolerated=FORBIDDEN
            ) as head_outcome:
                head = await self.s3.head_object(Bucket=bucket, Key=key)
            if head_outcome.missing:
                return None
            if head_outcome.code is not None:
                raise PermanentError(
                    f"HEAD {uri} answered 403: the file does not exist, or the cataloger "
                    "may not read it (it needs s3:GetObject on curated/*, and s3:ListBucket "
                    "for S3 to answer 404 rather than 403 for a missing key)"
                )
            size = int(head.get("ContentLength", 0))
            if size < FOOTER_TAIL:
                return FileProbe(size, b"")
            with translating(f"GET {uri} (footer)", missing=MISSING_OBJECT) as get_outcome:
                answer = await self.s3.get_object(
                    Bucket=bucket, Key=key, Range=f"bytes=-{FOOTER_TAIL}"
                )
                async with answer["Body"] as stream:
                    tail = await stream.read()
            if get_outcome.missing:
                return None
            return FileProbe(size, tail)

    async def check(self, message: TableFileWritten) -> None:
        """Raise ``PermanentError`` (its reason) unless the announced file is sound.

        A failed call to S3 raises ``TransientError``: the message is retried.
        """
        problem = key_problem(message)
        if problem is None:  # only a file where the message says it is is worth a look
            problem = _body_problem(_uri(message), await self.probe(message.bucket, message.key))
        if problem is not None:
            raise PermanentError(problem)

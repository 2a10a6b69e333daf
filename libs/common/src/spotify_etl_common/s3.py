"""Async S3 adapter: get, put, head, paginated list and conditional writes over one bucket.

Conditional puts (``If-None-Match: *`` to create, ``If-Match: <etag>`` to
replace) carry the extractor's run lease and the read-modify-writes of shared
state documents; S3 (and moto) refuse them with 412 when the condition fails,
or 409 when a concurrent conditional write won.

Library errors are translated into the error tree here, at the boundary.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from spotify_etl_common.aws_errors import MISSING_OBJECT, translating
from spotify_etl_common.errors import PermanentError

LOST_RACE = frozenset({"PreconditionFailed", "ConditionalRequestConflict"})
"""S3's answers when a conditional write's condition does not hold."""

if TYPE_CHECKING:
    from types_aiobotocore_s3 import S3Client


@dataclass(frozen=True, slots=True)
class ObjectInfo:
    """One listed object."""

    key: str
    size: int
    last_modified: datetime


@dataclass(frozen=True, slots=True)
class StoredObject:
    """One object read with its user metadata (``x-amz-meta-*``, names lower-cased)."""

    body: bytes
    metadata: Mapping[str, str] = field(default_factory=dict)


class ObjectTooLarge(PermanentError):
    """An object whose ``ContentLength`` is over what the caller reads at most."""

    def __init__(self, uri: str, size: int, limit: int) -> None:
        super().__init__(f"{uri} is {size:,} bytes, over the limit of {limit:,}")
        self.size = size
        self.limit = limit


class S3Store:
    """One bucket, reached through an injected aiobotocore S3 client."""

    def __init__(self, client: S3Client, bucket: str) -> None:
        self.client = client
        self.bucket = bucket

    def uri(self, key: str) -> str:
        """``s3://bucket/key`` for logs and error messages."""
        return f"s3://{self.bucket}/{key}"

    def _missing(self, key: str) -> PermanentError:
        return PermanentError(
            f"{self.uri(key)} does not exist (deleted, or never written): "
            "replay from the stage before it or drop the message"
        )

    async def _read(self, key: str, max_bytes: int | None = None) -> StoredObject | None:
        with translating(f"GET {self.uri(key)}", missing=MISSING_OBJECT):
            response = await self.client.get_object(Bucket=self.bucket, Key=key)
            async with response["Body"] as body:
                size = response.get("ContentLength", 0)
                if max_bytes is not None and size > max_bytes:
                    raise ObjectTooLarge(self.uri(key), size, max_bytes)  # the body is not read
                data = await body.read()
            return StoredObject(data, dict(response.get("Metadata", {})))
        return None

    async def get(self, key: str, max_bytes: int | None = None) -> bytes:
        """The object's bytes; a missing object is a ``PermanentError`` naming the key, one
        larger than ``max_bytes`` an :class:`ObjectTooLarge` (its body left unread)."""
        return (await self.read(key, max_bytes)).body

    async def read(self, key: str, max_bytes: int | None = None) -> StoredObject:
        """The object's bytes and user metadata; a missing object is a ``PermanentError``,
        one larger than ``max_bytes`` an :class:`ObjectTooLarge`."""
        stored = await self._read(key, max_bytes)
        if stored is None:
            raise self._missing(key)
        return stored

    async def get_or_none(self, key: str) -> bytes | None:
        """The object's bytes, or None when it does not exist (state documents)."""
        stored = await self._read(key)
        return stored.body if stored is not None else None

    async def put(
        self,
        key: str,
        body: bytes,
        content_type: str = "application/json",
        metadata: Mapping[str, str] | None = None,
    ) -> None:
        """Write (or overwrite) one object, with optional user metadata (``x-amz-meta-*``)."""
        with translating(f"PUT {self.uri(key)}"):
            await self.client.put_object(
                Bucket=self.bucket,
                Key=key,
                Body=body,
                ContentType=content_type,
                Metadata=dict(metadata or {}),
            )

    async def head(self, key: str) -> Mapping[str, str] | None:
        """The object's user metadata (HEAD), or None when it does not exist."""
        with translating(f"HEAD {self.uri(key)}", missing=MISSING_OBJECT):
            response = await self.client.head_object(Bucket=self.bucket, Key=key)
            return dict(response.get("Metadata", {}))
        return None

    async def exists(self, key: str) -> bool:
        """Whether the object exists (HEAD)."""
        return await self.head(key) is not None

    async def list(self, prefix: str) -> AsyncIterator[ObjectInfo]:
        """Every object under ``prefix``, page by page, in key order."""
        paginator = self.client.get_paginator("list_objects_v2")
        with translating(f"LIST {self.uri(prefix)}"):
            async for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix):
                for item in page.get("Contents", []):
                    yield ObjectInfo(
                        key=item["Key"], size=item["Size"], last_modified=item["LastModified"]
                    )

    async def read_versioned(self, key: str) -> tuple[bytes, str] | None:
        """The object's bytes and ETag, or None if it does not exist."""
        with translating(f"GET {self.uri(key)}", missing=MISSING_OBJECT):
            response = await self.client.get_object(Bucket=self.bucket, Key=key)
            async with response["Body"] as body:
                return await body.read(), response["ETag"]
        return None

    async def put_conditionally(
        self, key: str, body: bytes, *, if_match: str | None = None
    ) -> str | None:
        """Create ``key`` (or replace it if its ETag is ``if_match``); None if that failed."""
        with translating(f"PUT {self.uri(key)}", tolerated=LOST_RACE):
            if if_match is None:
                answer = await self.client.put_object(
                    Bucket=self.bucket, Key=key, Body=body, IfNoneMatch="*"
                )
            else:
                answer = await self.client.put_object(
                    Bucket=self.bucket, Key=key, Body=body, IfMatch=if_match
                )
            return answer["ETag"]
        return None

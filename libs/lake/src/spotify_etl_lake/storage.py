"""The objects under a table's location: list them with their age, delete them (sync S3).

pyiceberg's FileIO reads and writes single files but cannot list a prefix, which
finding orphan files needs; this is the thin S3 shell for that. URIs are
``s3://bucket/key``; :func:`split_uri` is the one parser of them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final, Protocol

from spotify_etl_common.aws import Endpoints, s3_client

S3_SCHEMES: Final = ("s3://", "s3a://", "s3n://")
MAX_KEYS_PER_DELETE: Final = 1000
"""DeleteObjects accepts at most 1,000 keys per call."""


@dataclass(frozen=True, slots=True)
class StoredFile:
    """One object under a table's location."""

    uri: str
    """``s3://bucket/key``."""
    size: int
    last_modified: datetime


def split_uri(uri: str) -> tuple[str, str]:
    """``s3://bucket/a/b`` -> ``("bucket", "a/b")`` (s3a and s3n too); ValueError otherwise."""
    for scheme in S3_SCHEMES:
        if uri.startswith(scheme):
            bucket, _, key = uri.removeprefix(scheme).partition("/")
            if bucket:
                return bucket, key
    raise ValueError(f"{uri!r} is not an s3:// URI")


def normal_uri(uri: str) -> str:
    """The ``s3://bucket/key`` form of any S3 URI, so paths from metadata and listings compare
    (any other URI, a local ``file://`` one say, as it is)."""
    if not uri.startswith(S3_SCHEMES):
        return uri
    bucket, key = split_uri(uri)
    return f"s3://{bucket}/{key}"


def folder_uri(location: str) -> str:
    """A table location as a folder (``.../curated/tracks/``), so ``tracks`` never lists
    ``tracks_x``."""
    return normal_uri(location).rstrip("/") + "/"


class Store(Protocol):
    """Where a table's files are listed and deleted (:class:`ObjectStore` on S3)."""

    def files(self, folder: str) -> list[StoredFile]: ...

    def delete(self, uris: Sequence[str]) -> int: ...


class ObjectStore:
    """List and delete objects under S3 folders (blocking calls, for pyiceberg's side).

    Built on the common aiobotocore client factory, so it follows the same endpoints
    and credentials as every service; each call runs its own short event loop (never
    call it from inside one).
    """

    def __init__(self, endpoints: Endpoints) -> None:
        self._endpoints = endpoints

    def files(self, folder: str) -> list[StoredFile]:
        """Every object under ``folder`` (an ``s3://bucket/prefix/`` URI)."""
        return asyncio.run(self._list(folder))

    async def _list(self, folder: str) -> list[StoredFile]:
        bucket, prefix = split_uri(folder_uri(folder))
        found = []
        async with s3_client(self._endpoints) as s3:
            pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
            async for page in pages:
                found += [
                    StoredFile(f"s3://{bucket}/{item['Key']}", item["Size"], item["LastModified"])
                    for item in page.get("Contents", [])
                ]
        return found

    def delete(self, uris: Sequence[str]) -> int:
        """Delete ``uris`` (1,000 per call); how many were deleted. A failure raises."""
        return asyncio.run(self._delete(uris)) if uris else 0

    async def _delete(self, uris: Sequence[str]) -> int:
        by_bucket: dict[str, list[str]] = {}
        for uri in uris:
            bucket, key = split_uri(uri)
            by_bucket.setdefault(bucket, []).append(key)
        deleted = 0
        async with s3_client(self._endpoints) as s3:
            for bucket, keys in by_bucket.items():
                for start in range(0, len(keys), MAX_KEYS_PER_DELETE):
                    chunk = keys[start : start + MAX_KEYS_PER_DELETE]
                    answer = await s3.delete_objects(
                        Bucket=bucket,
                        Delete={"Objects": [{"Key": k} for k in chunk], "Quiet": True},
                    )
                    errors = answer.get("Errors", [])
                    if errors:
                        first = errors[0]
                        raise RuntimeError(
                            f"could not delete s3://{bucket}/{first.get('Key')}: "
                            f"{first.get('Code')}: {first.get('Message')}"
                        )
                    deleted += len(chunk)
        return deleted

"""Async S3 adapter: get, put, head and paginated list over one bucket.

Library errors are translated into the error tree here, at the boundary.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from botocore.exceptions import BotoCoreError, ClientError

from spotify_etl_common.errors import (
    PermanentError,
    translate_botocore_error,
    translate_client_error,
)

if TYPE_CHECKING:
    from types_aiobotocore_s3 import S3Client

_MISSING = frozenset({"NoSuchKey", "404", "NotFound"})


@dataclass(frozen=True, slots=True)
class ObjectInfo:
    """One listed object."""

    key: str
    size: int
    last_modified: datetime


class S3Store:
    """One bucket, reached through an injected aiobotocore S3 client."""

    def __init__(self, client: S3Client, bucket: str) -> None:
        self.client = client
        self.bucket = bucket

    def uri(self, key: str) -> str:
        """``s3://bucket/key`` for logs and error messages."""
        return f"s3://{self.bucket}/{key}"

    async def get(self, key: str) -> bytes:
        """The object's bytes; a missing object is a ``PermanentError`` naming the key."""
        try:
            response = await self.client.get_object(Bucket=self.bucket, Key=key)
            async with response["Body"] as body:
                return await body.read()
        except ClientError as error:
            code = str(error.response.get("Error", {}).get("Code", ""))
            if code in _MISSING:
                raise PermanentError(
                    f"{self.uri(key)} does not exist (deleted, or never written): "
                    "replay from the stage before it or drop the message"
                ) from error
            raise translate_client_error(error, f"GET {self.uri(key)}") from error
        except BotoCoreError as error:
            raise translate_botocore_error(error, f"GET {self.uri(key)}") from error

    async def get_or_none(self, key: str) -> bytes | None:
        """The object's bytes, or None when it does not exist (state documents)."""
        try:
            return await self.get(key)
        except PermanentError as error:
            if isinstance(error.__cause__, ClientError):
                code = str(error.__cause__.response.get("Error", {}).get("Code", ""))
                if code in _MISSING:
                    return None
            raise

    async def put(
        self,
        key: str,
        body: bytes,
        content_type: str = "application/json",
        metadata: Mapping[str, str] | None = None,
    ) -> None:
        """Write (or overwrite) one object, with optional user metadata (``x-amz-meta-*``)."""
        try:
            await self.client.put_object(
                Bucket=self.bucket,
                Key=key,
                Body=body,
                ContentType=content_type,
                Metadata=dict(metadata or {}),
            )
        except ClientError as error:
            raise translate_client_error(error, f"PUT {self.uri(key)}") from error
        except BotoCoreError as error:
            raise translate_botocore_error(error, f"PUT {self.uri(key)}") from error

    async def exists(self, key: str) -> bool:
        """Whether the object exists (HEAD)."""
        try:
            await self.client.head_object(Bucket=self.bucket, Key=key)
        except ClientError as error:
            code = str(error.response.get("Error", {}).get("Code", ""))
            if code in _MISSING:
                return False
            raise translate_client_error(error, f"HEAD {self.uri(key)}") from error
        except BotoCoreError as error:
            raise translate_botocore_error(error, f"HEAD {self.uri(key)}") from error
        return True

    async def list(self, prefix: str) -> AsyncIterator[ObjectInfo]:
        """Every object under ``prefix``, page by page, in key order."""
        paginator = self.client.get_paginator("list_objects_v2")
        try:
            async for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix):
                for item in page.get("Contents", []):
                    yield ObjectInfo(
                        key=item["Key"], size=item["Size"], last_modified=item["LastModified"]
                    )
        except ClientError as error:
            raise translate_client_error(error, f"LIST {self.uri(prefix)}") from error
        except BotoCoreError as error:
            raise translate_botocore_error(error, f"LIST {self.uri(prefix)}") from error

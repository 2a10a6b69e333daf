"""The extractor's S3 adapter: the shared store plus object metadata and conditional writes.

Conditional puts (``If-None-Match: *`` to create, ``If-Match: <etag>`` to
replace) carry the run lease; S3 (and moto) refuse them with 412 when the
condition fails, or 409 when a concurrent conditional write won.
"""

from __future__ import annotations

from datetime import datetime

from botocore.exceptions import BotoCoreError, ClientError
from spotify_etl_common.errors import translate_botocore_error, translate_client_error
from spotify_etl_common.s3 import S3Store

from extractor.output import EXTRACTED_AT_METADATA

_LOST_RACE = frozenset({"PreconditionFailed", "ConditionalRequestConflict", "412", "409"})
_MISSING = frozenset({"NoSuchKey", "404", "NotFound"})


class ExtractorStore(S3Store):
    """One bucket, with what the extractor needs beyond plain get and put."""

    async def extracted_at(self, key: str) -> datetime | None:
        """The ``extracted-at`` metadata of a stored object (None if absent or unreadable)."""
        try:
            head = await self.client.head_object(Bucket=self.bucket, Key=key)
        except ClientError as error:
            if _code(error) in _MISSING:
                return None
            raise translate_client_error(error, f"HEAD {self.uri(key)}") from error
        except BotoCoreError as error:
            raise translate_botocore_error(error, f"HEAD {self.uri(key)}") from error
        stamp = head.get("Metadata", {}).get(EXTRACTED_AT_METADATA)
        try:
            return datetime.fromisoformat(stamp) if stamp else None
        except ValueError:
            return None

    async def read_versioned(self, key: str) -> tuple[bytes, str] | None:
        """The object's bytes and ETag, or None if it does not exist."""
        try:
            response = await self.client.get_object(Bucket=self.bucket, Key=key)
            async with response["Body"] as body:
                return await body.read(), response["ETag"]
        except ClientError as error:
            if _code(error) in _MISSING:
                return None
            raise translate_client_error(error, f"GET {self.uri(key)}") from error
        except BotoCoreError as error:
            raise translate_botocore_error(error, f"GET {self.uri(key)}") from error

    async def put_conditionally(
        self, key: str, body: bytes, *, if_match: str | None = None
    ) -> str | None:
        """Create ``key`` (or replace it if its ETag is ``if_match``); None if that failed."""
        extra = {"IfMatch": if_match} if if_match else {"IfNoneMatch": "*"}
        try:
            answer = await self.client.put_object(
                Bucket=self.bucket,
                Key=key,
                Body=body,
                ContentType="application/json",
                **extra,  # type: ignore[arg-type]
            )
        except ClientError as error:
            if _code(error) in _LOST_RACE:
                return None
            raise translate_client_error(error, f"PUT {self.uri(key)}") from error
        except BotoCoreError as error:
            raise translate_botocore_error(error, f"PUT {self.uri(key)}") from error
        return answer["ETag"]

    async def delete(self, key: str) -> None:
        try:
            await self.client.delete_object(Bucket=self.bucket, Key=key)
        except ClientError as error:
            raise translate_client_error(error, f"DELETE {self.uri(key)}") from error
        except BotoCoreError as error:
            raise translate_botocore_error(error, f"DELETE {self.uri(key)}") from error


def _code(error: ClientError) -> str:
    info = error.response.get("Error", {})
    status = str(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", ""))
    return str(info.get("Code", "")) or status

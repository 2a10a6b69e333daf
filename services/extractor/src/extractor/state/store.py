"""The extractor's S3 adapter: the shared store plus extraction times and conditional writes.

Conditional puts (``If-None-Match: *`` to create, ``If-Match: <etag>`` to
replace) carry the run lease; S3 (and moto) refuse them with 412 when the
condition fails, or 409 when a concurrent conditional write won.
"""

from __future__ import annotations

from datetime import datetime

from spotify_etl_common.aws_errors import MISSING_OBJECT, translating
from spotify_etl_common.messages import EXTRACTED_AT_METADATA
from spotify_etl_common.s3 import S3Store

LOST_RACE = frozenset({"PreconditionFailed", "ConditionalRequestConflict"})
"""S3's answers when a conditional write's condition does not hold."""


class ExtractorStore(S3Store):
    """One bucket, with what the extractor needs beyond plain get and put."""

    async def extracted_at(self, key: str) -> datetime | None:
        """The ``extracted-at`` metadata of a stored object (None if absent or unreadable)."""
        stamp = (await self.head(key) or {}).get(EXTRACTED_AT_METADATA)
        try:
            return datetime.fromisoformat(stamp) if stamp else None
        except ValueError:
            return None

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

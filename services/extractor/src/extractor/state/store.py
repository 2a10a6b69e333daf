"""The extractor's S3 adapter: the shared store plus extraction times.

The conditional writes that carry the run lease are the shared store's
(:meth:`~spotify_etl_common.s3.S3Store.put_conditionally`).
"""

from __future__ import annotations

from datetime import datetime

from spotify_etl_common.messages import EXTRACTED_AT_METADATA
from spotify_etl_common.s3 import S3Store


class ExtractorStore(S3Store):
    """One bucket, with the extraction time of a stored object."""

    async def extracted_at(self, key: str) -> datetime | None:
        """The ``extracted-at`` metadata of a stored object (None if absent or unreadable)."""
        stamp = (await self.head(key) or {}).get(EXTRACTED_AT_METADATA)
        try:
            return datetime.fromisoformat(stamp) if stamp else None
        except ValueError:
            return None

"""Removing the curated rows made from given raw objects: the port, and its two lakes.

:class:`CuratedRows` is what ``purge-user`` (and any command that takes raw
objects out of the lake) needs from the curated tables. Two implementations:

- :class:`HiveCuratedFiles`, the tables of today (Hive, ``dt`` partitions): a
  raw object's rows are exactly the files named by the digest of its key
  (``curated/<table>/dt=<day>/<digest>.parquet``, one per table it yields), so
  removing them is deleting those files. Files of ``transform-files`` batches
  (``batch-<digest>``) hold many objects and are never in the bucket.
- ``spotify_etl_lake.user_rows.IcebergCuratedRows``, the Iceberg tables (a
  pyiceberg catalog, as ``spotify_etl_lake.catalog.open_catalog`` builds): a
  delete by ``user_id`` per user-scoped table, and by ``source_key`` for the
  dimension rows the user's raw objects gave (their lineage names the user's keys).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any, Protocol

from spotify_etl_common.keys import CURATED_PREFIX, source_digest

DELETE_BATCH = 1000
"""Keys per DeleteObjects call (S3's limit)."""


class CuratedRows(Protocol):
    """The curated rows of a set of raw objects."""

    async def count(self, user_id: str, raw_keys: Collection[str]) -> int:
        """How many units (files or tables) :meth:`remove` would touch."""
        ...

    async def remove(self, user_id: str, raw_keys: Collection[str]) -> int:
        """Remove the rows of ``user_id`` and of ``raw_keys``; how many units were touched."""
        ...


def files_of(curated_keys: Sequence[str], raw_keys: Collection[str]) -> list[str]:
    """The curated files (among ``curated_keys``) made from ``raw_keys``: named by their digest."""
    digests = {f"{source_digest(k)}.parquet" for k in raw_keys}
    return [k for k in curated_keys if k.rsplit("/", 1)[-1] in digests]


class HiveCuratedFiles:
    """Curated Parquet files in S3 (aiobotocore client), named by their raw key's digest."""

    def __init__(self, client: Any, bucket: str) -> None:
        self._client = client
        self.bucket = bucket

    async def _listed(self) -> list[str]:
        keys: list[str] = []
        paginator = self._client.get_paginator("list_objects_v2")
        async for page in paginator.paginate(Bucket=self.bucket, Prefix=CURATED_PREFIX):
            keys.extend(o["Key"] for o in page.get("Contents", []))
        return keys

    async def count(self, user_id: str, raw_keys: Collection[str]) -> int:
        return len(files_of(await self._listed(), raw_keys))

    async def remove(self, user_id: str, raw_keys: Collection[str]) -> int:
        doomed = files_of(await self._listed(), raw_keys)
        await delete_keys(self._client, self.bucket, doomed)
        return len(doomed)


async def delete_keys(client: Any, bucket: str, keys: Sequence[str]) -> None:
    """Delete ``keys`` (DeleteObjects, 1000 at a time); a key that failed raises."""
    for start in range(0, len(keys), DELETE_BATCH):
        batch = keys[start : start + DELETE_BATCH]
        answer = await client.delete_objects(
            Bucket=bucket, Delete={"Objects": [{"Key": k} for k in batch], "Quiet": True}
        )
        errors = answer.get("Errors", [])
        if errors:
            first = errors[0]
            raise RuntimeError(
                f"could not delete {len(errors)} objects, e.g. s3://{bucket}/{first.get('Key')}: "
                f"{first.get('Code')} {first.get('Message')}; run the command again"
            )

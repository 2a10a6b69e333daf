"""``spotify-etl purge-user``: delete a removed user's data (raw, curated rows, state).

Gather (list the user's raw objects under each user-scoped source's
``raw/source=<s>/user=<uid>/`` and their extractor state under
``state/extractor/users/<uid>/``), decide (:func:`plan`, pure), apply: the
curated rows first (:mod:`spotify_etl.household.curated`: they are found from
the raw keys), then the raw objects, then the state, so a purge cut half-way
is finished by running it again. Shared dimensions fetched once for everyone
(``raw/source=albums/...``) are kept; the dimension rows the user's own raw
objects gave go with them (their lineage names the user).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from spotify_etl_common.keys import USER_SCOPED, user_prefix, user_state_prefix

from spotify_etl.household.curated import CuratedRows

DELETE_BATCH = 1000
"""Keys per DeleteObjects call (S3's limit)."""


def user_prefixes(user_id: str) -> list[str]:
    """Every raw prefix of one user's objects, one per user-scoped source."""
    return sorted(user_prefix(source, user_id) for source in USER_SCOPED)


@dataclass(frozen=True)
class Purge:
    """What a purge deletes."""

    user_id: str
    raw_keys: tuple[str, ...]
    state_keys: tuple[str, ...]
    curated: int
    """Tables holding the user's rows."""

    @property
    def empty(self) -> bool:
        return not (self.raw_keys or self.state_keys or self.curated)

    def describe(self, label: str) -> list[str]:
        """The lines saying what the purge deletes."""
        by_source: dict[str, int] = {}
        for key in self.raw_keys:
            source = key.split("/", 2)[1].removeprefix("source=")
            by_source[source] = by_source.get(source, 0) + 1
        sources = ", ".join(f"{s} {n:,}" for s, n in sorted(by_source.items())) or "none"
        return [
            f"user {label}:",
            f"  raw objects: {len(self.raw_keys):,} ({sources})",
            f"  curated: {self.curated:,} tables holding their rows (deleted by user_id)",
            f"  extractor state: {len(self.state_keys):,} objects under "
            f"{user_state_prefix(self.user_id)}",
        ]


def plan(user_id: str, raw_keys: Sequence[str], state_keys: Sequence[str], curated: int) -> Purge:
    """The purge of ``user_id`` (pure): keys sorted, each once."""
    return Purge(user_id, tuple(sorted(set(raw_keys))), tuple(sorted(set(state_keys))), curated)


async def listed(client: Any, bucket: str, prefixes: Sequence[str]) -> list[str]:
    """Every key under ``prefixes``."""
    keys: list[str] = []
    paginator = client.get_paginator("list_objects_v2")
    for prefix in prefixes:
        async for page in paginator.paginate(Bucket=bucket, Prefix=prefix):
            keys.extend(o["Key"] for o in page.get("Contents", []))
    return keys


async def gather(client: Any, bucket: str, user_id: str, curated: CuratedRows) -> Purge:
    """List what the user has in the lake."""
    raw = await listed(client, bucket, user_prefixes(user_id))
    state = await listed(client, bucket, [user_state_prefix(user_id)])
    return plan(user_id, raw, state, await curated.count(user_id, raw))


async def apply(client: Any, bucket: str, purge: Purge, curated: CuratedRows) -> int:
    """Delete it all: curated rows, then raw objects, then state; how many curated units."""
    removed = await curated.remove(purge.user_id, purge.raw_keys)
    await delete_keys(client, bucket, purge.raw_keys)
    await delete_keys(client, bucket, purge.state_keys)
    return removed


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

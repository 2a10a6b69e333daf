"""Removing the curated rows of a user: the port ``purge-user`` needs from the tables.

Its implementation is ``spotify_etl_lake.user_rows.IcebergCuratedRows`` (a
pyiceberg catalog, as ``spotify_etl_lake.catalog.open_catalog`` builds): a
delete by ``user_id`` per user-scoped table, and by ``source_key`` for the
dimension rows the user's raw objects gave (their lineage names the user's
keys). The files those rows leave unreferenced go with ``spotify-etl maintain``.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Protocol


class CuratedRows(Protocol):
    """The curated rows of a set of raw objects."""

    async def count(self, user_id: str, raw_keys: Collection[str]) -> int:
        """How many tables :meth:`remove` would touch."""
        ...

    async def remove(self, user_id: str, raw_keys: Collection[str]) -> int:
        """Remove the rows of ``user_id`` and of ``raw_keys``; how many units were touched."""
        ...

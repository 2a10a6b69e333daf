"""One user's rows out of the Iceberg tables (``spotify-etl purge-user`` on the Iceberg lake).

A delete by ``user_id`` in every user-scoped table (partitioned by it: the
user's own partitions are dropped), and by ``source_key`` in the dimension
tables for the rows the user's own raw objects gave (their lineage names the
user's keys). The same methods as the operator CLI's ``CuratedRows`` port.
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection, Mapping
from typing import Any

from pyiceberg.exceptions import NoSuchTableError
from pyiceberg.expressions import EqualTo, In
from spotify_etl_common.tables import TABLES, Table

KEYS_PER_PREDICATE = 500
"""Source keys per ``In`` predicate of a delete."""


class IcebergCuratedRows:
    """The Iceberg tables of ``database`` in a pyiceberg catalog."""

    def __init__(self, catalog: Any, database: str, tables: Mapping[str, Table] = TABLES) -> None:
        self._catalog = catalog
        self.database = database
        self.tables = tables

    def _existing(self) -> list[tuple[Table, Any]]:
        found = []
        for table in self.tables.values():
            try:
                found.append((table, self._catalog.load_table((self.database, table.name))))
            except NoSuchTableError:
                continue
        return found

    async def count(self, user_id: str, raw_keys: Collection[str]) -> int:
        return len(self._existing())

    async def remove(self, user_id: str, raw_keys: Collection[str]) -> int:
        return await asyncio.to_thread(self._remove, user_id, sorted(raw_keys))

    def _remove(self, user_id: str, keys: list[str]) -> int:
        touched = 0
        for table, iceberg in self._existing():
            if table.user_scoped:
                iceberg.delete(EqualTo(term="user_id", value=user_id))
            else:
                for start in range(0, len(keys), KEYS_PER_PREDICATE):
                    iceberg.delete(
                        In(term="source_key", literals=keys[start : start + KEYS_PER_PREDICATE])
                    )
            touched += 1
        return touched

"""Read-only Glue adapter: does a database exist, which partitions a table has.

Writes to the catalog belong to the cataloger; readers (the operator CLI's
``status``) use this. Errors are translated at the boundary.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from spotify_etl_common.aws_errors import ENTITY_NOT_FOUND, translating

if TYPE_CHECKING:
    from types_aiobotocore_glue import GlueClient


class GlueReader:
    """One Glue database, reached through an injected aiobotocore Glue client."""

    def __init__(self, client: GlueClient, database: str) -> None:
        self.client = client
        self.database = database

    async def database_exists(self) -> bool:
        """Whether the database exists."""
        with translating(f"Glue database {self.database}", missing=ENTITY_NOT_FOUND):
            await self.client.get_database(Name=self.database)
            return True
        return False

    async def partitions(self, table: str) -> list[tuple[str, ...]] | None:
        """The partition values of every partition of ``table``; None if the table is missing."""
        found: list[tuple[str, ...]] = []
        with translating(f"Glue partitions of {self.database}.{table}", missing=ENTITY_NOT_FOUND):
            paginator = self.client.get_paginator("get_partitions")
            async for page in paginator.paginate(DatabaseName=self.database, TableName=table):
                found += [tuple(p.get("Values", [])) for p in page.get("Partitions", [])]
            return found
        return None

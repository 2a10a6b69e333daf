"""The Glue shell: database, tables and partitions, all idempotent.

Payloads come from :mod:`cataloger.definitions`; this module only sends them
and turns Glue's answers and errors into outcomes.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import TYPE_CHECKING

from spotify_etl_common.aws_errors import ALREADY_EXISTS, ENTITY_NOT_FOUND, translating
from spotify_etl_common.errors import PermanentError, SpotifyEtlError, TransientError
from spotify_etl_common.logs import get_logger

from cataloger.drift import drift, from_glue, from_input

if TYPE_CHECKING:
    from types_aiobotocore_glue import GlueClient
    from types_aiobotocore_glue.type_defs import (
        ErrorDetailTypeDef,
        PartitionInputTypeDef,
        TableInputTypeDef,
    )

MAX_PARTITIONS_PER_CALL = 100
"""BatchCreatePartition accepts at most 100 partitions per call."""

_PERMANENT_PARTITION_CODES = frozenset(
    {"EntityNotFoundException", "InvalidInputException", "ResourceNumberLimitExceededException"}
)

log = get_logger(__name__)


class TableChange(StrEnum):
    """What ensuring a table did."""

    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


def chunks(items: Sequence[PartitionInputTypeDef], size: int) -> list[list[PartitionInputTypeDef]]:
    """``items`` in consecutive lists of at most ``size``."""
    return [list(items[i : i + size]) for i in range(0, len(items), size)]


def partition_error(
    action: str, detail: ErrorDetailTypeDef, values: Sequence[str]
) -> SpotifyEtlError:
    """A per-partition error of BatchCreatePartition: bad input is permanent, the rest transient."""
    code = detail.get("ErrorCode", "Unknown")
    reason = (
        f"{action} failed for partition {list(values)}: {code}: {detail.get('ErrorMessage', '')}"
    )
    if code in _PERMANENT_PARTITION_CODES:
        return PermanentError(reason)
    return TransientError(reason)


class GlueCatalog:
    """One Glue database of curated tables."""

    def __init__(self, client: GlueClient, database: str) -> None:
        self._glue = client
        self.database = database

    async def ensure_database(self, description: str) -> bool:
        """Create the database if it is missing; True if it was created."""
        with translating(
            f"create Glue database {self.database}", tolerated=ALREADY_EXISTS
        ) as outcome:
            await self._glue.create_database(
                DatabaseInput={"Name": self.database, "Description": description}
            )
        if outcome.code is not None:
            return False
        log.info("glue.database_created", database=self.database)
        return True

    async def ensure_table(self, wanted: TableInputTypeDef) -> TableChange:
        """Create the table, or update it when it drifted from ``wanted``."""
        name = wanted["Name"]
        action = f"ensure Glue table {self.database}.{name}"
        with translating(action, missing=ENTITY_NOT_FOUND) as found:
            answer = await self._glue.get_table(DatabaseName=self.database, Name=name)
        if found.missing:
            with translating(action, tolerated=ALREADY_EXISTS) as created:
                await self._glue.create_table(DatabaseName=self.database, TableInput=wanted)
            if created.code is None:
                log.info("glue.table_created", database=self.database, table=name)
                return TableChange.CREATED
            # another cataloger won the race; compare with what it made
            with translating(action):
                answer = await self._glue.get_table(DatabaseName=self.database, Name=name)
        reasons = drift(from_glue(answer["Table"]), from_input(wanted))
        if not reasons:
            return TableChange.UNCHANGED
        with translating(action):
            await self._glue.update_table(DatabaseName=self.database, TableInput=wanted)
        log.info("glue.table_updated", database=self.database, table=name, reasons=list(reasons))
        return TableChange.UPDATED

    async def add_partitions(self, table: str, partitions: Sequence[PartitionInputTypeDef]) -> int:
        """Add partitions in batches of 100; existing ones are fine. Returns how many were new."""
        created = 0
        action = f"add partitions to Glue table {self.database}.{table}"
        for chunk in chunks(partitions, MAX_PARTITIONS_PER_CALL):
            with translating(action):
                answer = await self._glue.batch_create_partition(
                    DatabaseName=self.database, TableName=table, PartitionInputList=chunk
                )
            errors = answer.get("Errors", [])
            real = [
                e
                for e in errors
                if e.get("ErrorDetail", {}).get("ErrorCode") != "AlreadyExistsException"
            ]
            if real:
                raise partition_error(
                    action, real[0].get("ErrorDetail", {}), real[0].get("PartitionValues", [])
                )
            created += len(chunk) - len(errors)
        return created

"""Coalescing: the messages of one batch -> one catalog update per table.

Pure. Many ``TableFileWritten`` arrive for the same table and day within
seconds; the batch becomes, per table, the set of partitions to make sure of.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from spotify_etl_common.errors import PermanentError
from spotify_etl_common.messages import TableFileWritten
from spotify_etl_common.tables import Table


@dataclass(frozen=True)
class TablePlan:
    """What one batch asks of one table."""

    table: Table
    partitions: tuple[tuple[tuple[str, str], ...], ...]
    """Distinct partitions (as ordered key/value pairs), sorted."""
    files: int
    """How many file messages were coalesced into this plan."""

    def partition_dicts(self) -> list[dict[str, str]]:
        """The partitions as dicts, e.g. ``[{"dt": "2026-11-24"}]``."""
        return [dict(p) for p in self.partitions]


def check_message(message: TableFileWritten, tables: Mapping[str, Table], bucket: str) -> Table:
    """The declared table a message is about; ``PermanentError`` saying what is wrong."""
    table = tables.get(message.table)
    if table is None:
        raise PermanentError(
            f"unknown table {message.table!r} in {message.key}: known tables are "
            f"{', '.join(sorted(tables))}; fix the producer or redrive after deploying its table"
        )
    if message.bucket != bucket:
        raise PermanentError(
            f"file {message.key} is in bucket {message.bucket!r}, this cataloger serves {bucket!r}"
        )
    if message.schema_version > table.schema_version:
        raise PermanentError(
            f"table {table.name} file {message.key} has schema version {message.schema_version}, "
            f"this cataloger knows version {table.schema_version}: deploy the cataloger with the "
            "newer table declarations, then redrive the catalog dead-letter queue"
        )
    missing = [k.name for k in table.partition_keys if not message.partition.get(k.name)]
    if missing:
        raise PermanentError(
            f"file {message.key} of table {table.name} lacks partition value(s) "
            f"{', '.join(missing)}"
        )
    return table


def coalesce(messages: Iterable[TableFileWritten], tables: Mapping[str, Table]) -> list[TablePlan]:
    """Group already-checked messages by table, one plan per table, in table-name order."""
    partitions: dict[str, set[tuple[tuple[str, str], ...]]] = {}
    files: dict[str, int] = {}
    for message in messages:
        table = tables[message.table]
        values = tuple((k.name, message.partition[k.name]) for k in table.partition_keys)
        partitions.setdefault(table.name, set()).add(values)
        files[table.name] = files.get(table.name, 0) + 1
    return [
        TablePlan(tables[name], tuple(sorted(partitions[name])), files[name])
        for name in sorted(partitions)
    ]

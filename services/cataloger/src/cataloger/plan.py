"""Coalescing: the messages of one batch -> one commit per table.

Pure. Many ``TableFileWritten`` arrive for the same table within seconds; the
batch becomes, per table, the raw objects whose rows it replaces and the files
it registers (one Iceberg transaction: :func:`spotify_etl_lake.commit.replace_sources`).
A file announced twice is registered once; a file without rows registers
nothing, but its raw object's earlier rows still leave the table (a replay
whose object now gives no rows for the table). Two versions of one raw
object's file in one batch (other bytes, so other keys: a transform replayed
while the first message still waited, or a catalog replay of both) are one
too many: the newest written wins.
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
    files_by_source: tuple[tuple[str, tuple[str, ...]], ...]
    """Each raw key (sorted) with the ``s3://`` paths of its files that hold rows (sorted)."""

    @property
    def sources(self) -> tuple[str, ...]:
        """The raw keys whose rows the commit replaces."""
        return tuple(source for source, _ in self.files_by_source)

    @property
    def paths(self) -> tuple[str, ...]:
        """The files the commit registers."""
        return tuple(path for _, paths in self.files_by_source for path in paths)

    def split(self) -> list[TablePlan]:
        """One plan per raw object (to find which one a table refuses)."""
        return [TablePlan(self.table, (entry,)) for entry in self.files_by_source]


def check_message(message: TableFileWritten, tables: Mapping[str, Table], bucket: str) -> Table:
    """The declared table a message is about; ``PermanentError`` saying what is wrong.

    The partition value (one ``dt`` day) is checked when the body is parsed.
    """
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
    return table


def file_uri(message: TableFileWritten) -> str:
    """The ``s3://`` path of the announced file."""
    return f"s3://{message.bucket}/{message.key}"


def _newest(messages: Iterable[TableFileWritten]) -> list[TableFileWritten]:
    """One file per table, raw object and day: the newest written (then the last key).

    A raw object's rows share one extraction day, so it makes one file per table;
    a batch file (``transform-files``) has one per table and day.
    """
    newest: dict[tuple[str, str, str], TableFileWritten] = {}
    for message in messages:
        slot = (message.table, message.source_key, message.partition["dt"])
        kept = newest.get(slot)
        if kept is None or _age(message) > _age(kept):
            newest[slot] = message
    return list(newest.values())


def _age(message: TableFileWritten) -> tuple[float, str]:
    written = message.written_at.timestamp() if message.written_at else float("-inf")
    return (written, message.key)


def coalesce(messages: Iterable[TableFileWritten], tables: Mapping[str, Table]) -> list[TablePlan]:
    """Group already-checked messages by table, one plan per table, in table-name order."""
    found: dict[str, dict[str, set[str]]] = {}
    for message in _newest(messages):
        paths = found.setdefault(message.table, {}).setdefault(message.source_key, set())
        if message.rows > 0:
            paths.add(file_uri(message))
    return [
        TablePlan(
            tables[name],
            tuple((source, tuple(sorted(paths))) for source, paths in sorted(found[name].items())),
        )
        for name in sorted(found)
    ]

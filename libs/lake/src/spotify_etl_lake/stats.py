"""A table's figures for ``spotify-etl status``: snapshots, data files, size, last maintenance.

Read from the table's metadata alone (the current snapshot's summary holds the
totals), so it costs one Glue call and one metadata file per table.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from pyiceberg.exceptions import NoSuchIcebergTableError, NoSuchPropertyException, NoSuchTableError

from spotify_etl_lake.glue_tables import TableKind
from spotify_etl_lake.maintain import LAST_MAINTENANCE_PROPERTY

if TYPE_CHECKING:
    from pyiceberg.catalog import Catalog
    from pyiceberg.table import Table

    from spotify_etl_lake.catalog import Lake


@dataclass(frozen=True, slots=True)
class TableStats:
    """The figures of one Iceberg table."""

    snapshots: int
    data_files: int
    data_bytes: int
    last_commit_at: datetime | None
    last_maintenance: datetime | None

    @property
    def average_file_bytes(self) -> int | None:
        """Mean data file size, None when the table has no file."""
        return self.data_bytes // self.data_files if self.data_files else None


def stats_of(
    snapshots: int,
    summary: Mapping[str, str],
    committed_ms: int | None,
    properties: Mapping[str, str],
) -> TableStats:
    """The figures from the snapshot count, the current snapshot's summary and commit time,
    and the table properties (pure). An unreadable maintenance time reads as never."""
    recorded = properties.get(LAST_MAINTENANCE_PROPERTY)
    committed = datetime.fromtimestamp(committed_ms / 1000, tz=UTC) if committed_ms else None
    try:
        maintained = datetime.fromisoformat(recorded) if recorded else None
    except ValueError:
        maintained = None
    return TableStats(
        snapshots=snapshots,
        data_files=int(summary.get("total-data-files", 0)),
        data_bytes=int(summary.get("total-files-size", 0)),
        last_commit_at=committed,
        last_maintenance=maintained,
    )


def table_stats(table: Table) -> TableStats:
    """The figures of a loaded table."""
    current = table.current_snapshot()
    summary = dict(current.summary.additional_properties) if current and current.summary else {}
    return stats_of(
        len(table.metadata.snapshots),
        summary,
        current.timestamp_ms if current else None,
        table.properties,
    )


def read_stats(catalog: Catalog, lake: Lake, name: str) -> tuple[TableKind, TableStats | None]:
    """What kind of table ``name`` is, and its figures when it is Iceberg."""
    try:
        table = catalog.load_table(lake.identifier(name))
    except NoSuchTableError:
        return "absent", None
    except (NoSuchIcebergTableError, NoSuchPropertyException):
        return "hive", None
    return "iceberg", table_stats(table)

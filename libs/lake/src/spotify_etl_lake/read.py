"""Reading the lake's tables as they are now, for a query engine beside it (DuckDB).

For each table, what its rows are: the Parquet files of its current Iceberg
snapshot (read as they are: the cataloger and maintenance write no delete
files), or, when a snapshot carries delete files (a writer other than ours),
the rows pyiceberg's scan resolves; the files of a Hive table not yet migrated;
nothing for a table not created yet. Only the catalog and the table's own
metadata are read here; fetching the data files is the caller's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pyiceberg.exceptions import NoSuchIcebergTableError, NoSuchPropertyException, NoSuchTableError
from pyiceberg.io import load_file_io

from spotify_etl_lake.glue_tables import TableKind, get_glue_table, hive_files, table_location

if TYPE_CHECKING:
    from pyiceberg.catalog.glue import GlueCatalog

    from spotify_etl_lake.catalog import Lake

ListFiles = Callable[[str], Iterable[str]]
"""Every object URI under a folder URI (the Hive tables' files are found by listing)."""


@dataclass(frozen=True)
class TableRead:
    """How to read one table's rows now."""

    name: str
    kind: TableKind
    files: tuple[str, ...] = ()
    """Parquet URIs whose rows, together, are the table's rows."""
    rows: Any = None
    """A ``pyarrow.Table`` of the rows instead, when the files alone are not the rows."""


def read_table(catalog: GlueCatalog, lake: Lake, name: str, list_files: ListFiles) -> TableRead:
    """How to read ``name`` (see the module docstring)."""
    try:
        table = catalog.load_table(lake.identifier(name))
    except NoSuchTableError:
        return TableRead(name, "absent")
    except (NoSuchIcebergTableError, NoSuchPropertyException):
        found = get_glue_table(catalog.glue, lake.database, name)
        if found is None:
            return TableRead(name, "absent")
        return TableRead(name, "hive", tuple(hive_files(list_files(table_location(found)), name)))
    scan = table.scan()
    tasks = list(scan.plan_files())
    if any(task.delete_files for task in tasks):
        return TableRead(name, "iceberg", rows=scan.to_arrow())
    return TableRead(name, "iceberg", tuple(task.file.file_path for task in tasks))


def file_reader(catalog: GlueCatalog) -> Callable[[str], bytes]:
    """Reads a whole file by URI (one GET) with the catalog's file IO; safe across threads."""
    io = load_file_io(catalog.properties)

    def read(uri: str) -> bytes:
        with io.new_input(uri).open(seekable=False) as stream:
            return stream.read()

    return read

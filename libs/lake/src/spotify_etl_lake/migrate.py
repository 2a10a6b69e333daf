"""Turning the Hive tables of an older lake into Iceberg tables of the same names, in place.

An older cataloger made each curated table a Glue Hive table (Parquet under
``curated/<table>/dt=<day>/``, partitioned by ``dt``). Migration registers those
files, where they are and without copying them, in an Iceberg table at the same
location, then points the Glue table of that name at the Iceberg metadata.

Glue cannot rename a table, so each table goes through these steps:

1. create a staging Iceberg table ``<table>__iceberg_migration`` at the table's
   location and ``add_files`` every Parquet file under its ``dt=`` folders in one
   commit (the Hive table keeps serving queries meanwhile);
2. swap: one ``UpdateTable`` turns the Glue table ``<table>`` into the Iceberg
   table (its parameters and columns copied from the staging table, partition
   keys gone), guarded by the Hive table's ``VersionId``;
3. drop the staging entry (the catalog entry only: the files stay) and the Hive
   partitions the Glue table still lists.

A crash leaves a state a second run finishes: before the swap, the Hive table is
intact and the staging table is dropped and built again; after it, the table is
already Iceberg and only the leftovers of step 3 remain to go. There is never a
moment without a table of that name, so no cataloger can create an empty one in
between. The metadata of an abandoned staging table becomes orphan files that
``maintain`` deletes. Running it again on a migrated lake changes nothing.

The plan (:func:`plan_table`) is pure; :func:`migrate_table` carries it out.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, Literal

from pyiceberg.exceptions import NoSuchTableError
from spotify_etl_common.tables import Table

from spotify_etl_lake.glue_tables import (
    TableKind,
    get_glue_table,
    hive_files,
    table_kind,
    table_location,
)
from spotify_etl_lake.schema import FORMAT_VERSION, iceberg_schema, partition_spec
from spotify_etl_lake.storage import Store

if TYPE_CHECKING:
    from mypy_boto3_glue import GlueClient
    from mypy_boto3_glue.type_defs import TableInputTypeDef
    from pyiceberg.catalog.glue import GlueCatalog

    from spotify_etl_lake.catalog import Lake

STAGING_SUFFIX: Final = "__iceberg_migration"
"""Suffix of the staging table a migration builds before the swap."""
MAX_PARTITIONS_PER_DELETE: Final = 25
"""BatchDeletePartition accepts at most 25 partitions per call."""

Action = Literal["nothing", "migrate", "finish"]


def staging_name(table: str) -> str:
    """The staging table of ``table``'s migration."""
    return f"{table}{STAGING_SUFFIX}"


@dataclass(frozen=True, slots=True)
class GlueState:
    """What Glue holds about one table."""

    kind: TableKind
    staging: bool
    """A staging table of an unfinished migration exists."""
    partitions: int
    """Partitions Glue lists for the table (Hive partitions; stale once it is Iceberg)."""


@dataclass(frozen=True, slots=True)
class TableMigration:
    """The plan for one table."""

    table: str
    action: Action
    files: tuple[str, ...] = ()
    """Parquet files to register (``migrate``)."""
    drop_staging: bool = False
    drop_partitions: int = 0
    note: str = ""
    failure: str | None = None
    """Why carrying the plan out failed (running it again resumes)."""

    def line(self, done: bool) -> str:
        """One line for people; ``done`` says it happened (else it is the plan)."""
        if self.failure:
            return f"{self.table}: failed, {self.failure} (run it again to resume)"
        if self.action == "nothing":
            return f"{self.table}: nothing to do ({self.note})"
        steps = []
        if self.action == "migrate":
            verb = "registered" if done else "register"
            steps.append(
                f"{verb} {len(self.files)} Parquet file(s) in place in a new Iceberg table"
                f"{'' if done else ', then swap the Glue table to it'}"
            )
        if self.drop_staging:
            verb = "dropped" if done else "drop"
            steps.append(f"{verb} the staging table {staging_name(self.table)}")
        if self.drop_partitions:
            verb = "deleted" if done else "delete"
            steps.append(f"{verb} {self.drop_partitions} Hive partition(s) left in Glue")
        return f"{self.table}: {self.note}: " + "; ".join(steps)


def plan_table(table: str, state: GlueState, files: Sequence[str]) -> TableMigration:
    """What migrating ``table`` takes, from its Glue state and its Parquet files (pure)."""
    if state.kind == "absent":
        return TableMigration(
            table,
            "finish" if state.staging else "nothing",
            drop_staging=state.staging,
            note="no Glue table (the cataloger creates it as Iceberg)",
        )
    if state.kind == "iceberg":
        if state.staging or state.partitions:
            return TableMigration(
                table,
                "finish",
                drop_staging=state.staging,
                drop_partitions=state.partitions,
                note="Iceberg, an earlier migration left leftovers",
            )
        return TableMigration(table, "nothing", note="already Iceberg")
    return TableMigration(
        table,
        "migrate",
        files=tuple(sorted(files)),
        drop_staging=state.staging,
        drop_partitions=state.partitions,
        note=f"Hive table, {len(files)} file(s)",
    )


def glue_partitions(glue: GlueClient, database: str, table: str) -> list[list[str]]:
    """Values of every partition Glue lists for ``table``."""
    pages = glue.get_paginator("get_partitions").paginate(DatabaseName=database, TableName=table)
    return [list(p["Values"]) for page in pages for p in page.get("Partitions", [])]


def read_state(
    catalog: GlueCatalog, store: Store, lake: Lake, table: str
) -> tuple[GlueState, list[str]]:
    """The table's Glue state, and its Hive files when it is a Hive table."""
    glue = catalog.glue
    found = get_glue_table(glue, lake.database, table)
    kind = table_kind(found)
    staging = get_glue_table(glue, lake.database, staging_name(table)) is not None
    partitions = len(glue_partitions(glue, lake.database, table)) if found else 0
    files: list[str] = []
    if kind == "hive" and found is not None:
        files = hive_files((f.uri for f in store.files(table_location(found))), table)
    return GlueState(kind, staging, partitions), files


def migrate_table(
    catalog: GlueCatalog, lake: Lake, declaration: Table, step: TableMigration
) -> None:
    """Carry out ``step`` (see the module docstring for the order and why)."""
    glue = catalog.glue
    name = declaration.name
    staging = lake.identifier(staging_name(name))
    if step.drop_staging:
        with contextlib.suppress(NoSuchTableError):
            catalog.drop_table(staging)  # the catalog entry only; files stay
    if step.action == "migrate":
        hive = get_glue_table(glue, lake.database, name)
        if table_kind(hive) != "hive" or hive is None:
            raise RuntimeError(f"{name} changed during migration (no longer a Hive table)")
        schema = iceberg_schema(declaration)
        built = catalog.create_table(
            staging,
            schema=schema,
            location=lake.location(name),
            partition_spec=partition_spec(declaration, schema),
            properties={"format-version": str(FORMAT_VERSION)},
        )
        if step.files:
            with built.transaction() as tx:
                tx.add_files(list(step.files))
        built_glue = get_glue_table(glue, lake.database, staging_name(name))
        if built_glue is None:
            raise RuntimeError(f"the staging table {staging_name(name)} vanished")
        glue.update_table(
            DatabaseName=lake.database,
            TableInput=swapped_input(name, hive, built_glue),
            VersionId=str(hive.get("VersionId", "")),
        )
        catalog.drop_table(staging)
    remaining = glue_partitions(glue, lake.database, name) if step.drop_partitions else []
    for start in range(0, len(remaining), MAX_PARTITIONS_PER_DELETE):
        chunk = remaining[start : start + MAX_PARTITIONS_PER_DELETE]
        glue.batch_delete_partition(
            DatabaseName=lake.database,
            TableName=name,
            PartitionsToDelete=[{"Values": values} for values in chunk],
        )


def swapped_input(name: str, hive: dict[str, Any], staging: dict[str, Any]) -> TableInputTypeDef:
    """The Glue table ``name`` as the Iceberg table the staging entry describes (pure):
    its type, parameters and columns, the Hive table's description, no partition keys."""
    table_input: TableInputTypeDef = {
        "Name": name,
        "TableType": staging.get("TableType", "EXTERNAL_TABLE"),
        "Parameters": dict(staging.get("Parameters", {})),
        "StorageDescriptor": dict(staging.get("StorageDescriptor", {})),  # type: ignore[typeddict-item]
        "PartitionKeys": [],
    }
    if hive.get("Description"):
        table_input["Description"] = hive["Description"]
    return table_input


def migrate_lake(
    catalog: GlueCatalog,
    store: Store,
    lake: Lake,
    tables: Iterable[Table],
    *,
    dry_run: bool,
    report: Callable[[TableMigration], None] = lambda _: None,
) -> list[TableMigration]:
    """Plan each table and, unless ``dry_run``, carry the plan out; ``report`` hears of each.

    A table that fails is reported with its reason and the others go on.
    """
    steps = []
    for declaration in tables:
        try:
            state, files = read_state(catalog, store, lake, declaration.name)
            step = plan_table(declaration.name, state, files)
            if not dry_run and step.action != "nothing":
                migrate_table(catalog, lake, declaration, step)
        except Exception as error:
            step = TableMigration(
                declaration.name, "nothing", failure=f"{type(error).__name__}: {error}"
            )
        report(step)
        steps.append(step)
    return steps

"""Each curated table as an Iceberg table in Glue: created, evolved, or refused.

:func:`ensure_table` makes the live table what the declaration says: it
creates a missing table (schema, partition spec, location and properties from
:mod:`spotify_etl_lake.schema` and :data:`TABLE_PROPERTIES`), adds the columns
a newer declaration brings (``union_by_name``: new fields get the next ids, the
name mapping follows), and puts back a declared property that differs. It never
drops or retypes a column. A Glue table of that name that is not Iceberg (a
Hive table of the earlier lake) is refused with the command that migrates it.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import suppress
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from pyiceberg.catalog import Catalog
from pyiceberg.exceptions import (
    NamespaceAlreadyExistsError,
    NoSuchIcebergTableError,
    NoSuchPropertyException,
    NoSuchTableError,
    TableAlreadyExistsError,
)
from pyiceberg.table import Table as IcebergTable
from pyiceberg.table import TableProperties
from spotify_etl_common.errors import PermanentError, TransientError
from spotify_etl_common.tables import Table

from spotify_etl_lake.catalog import Lake
from spotify_etl_lake.errors import translating_lake
from spotify_etl_lake.schema import FORMAT_VERSION, iceberg_schema, partition_spec

MIGRATE_COMMAND: Final = "spotify-etl migrate-tables"

TABLE_PROPERTIES: Final[Mapping[str, str]] = {
    TableProperties.COMMIT_NUM_RETRIES: "0",
    TableProperties.PARQUET_COMPRESSION: "zstd",
    TableProperties.MANIFEST_MERGE_ENABLED: "true",
    TableProperties.MANIFEST_MIN_MERGE_COUNT: "10",
    f"{TableProperties.METRICS_MODE_COLUMN_CONF_PREFIX}.source_key": "full",
}
"""Declared properties of every table (besides ``format-version`` and the name mapping).

- ``commit.retry.num-retries`` 0: one retry policy, the committer's
  (:mod:`spotify_etl_lake.commit`: a fresh load and the whole change again,
  waits through an injected sleep); pyiceberg's own in-transaction retry would
  multiply the attempts and replay a delete planned against the old state.
- zstd for the files Iceberg itself writes (compaction, a delete's rewrite), as
  the transformer's.
- appends merge manifests once there are 10: every commit adds one, and every
  later delete and duplicate check reads them all (measured on moto: after 40
  commits 40 manifests and 0.86 s a commit with fast appends; 4 manifests and
  0.42 s with merging).
- ``source_key`` bounds in full (not truncated to 16 characters): a raw key is
  longer, and full bounds let a delete by ``source_key`` drop a whole
  transformer file from metadata alone instead of reading it.
"""

NAME_MAPPING: Final = TableProperties.DEFAULT_NAME_MAPPING
"""The property mapping column names to field ids: the transformer's files carry no ids."""


class TableChange(StrEnum):
    """What ensuring a table did."""

    CREATED = "created"
    EVOLVED = "evolved"
    UNCHANGED = "unchanged"


@dataclass(frozen=True)
class EnsuredTable:
    """A table as it is after :func:`ensure_table`, and what that did."""

    table: IcebergTable
    change: TableChange


class HiveTableError(PermanentError):
    """The Glue table is not Iceberg: the earlier lake's Hive table, to migrate first."""


def hive_table_error(lake: Lake, name: str, detail: object) -> HiveTableError:
    """The one-line refusal to commit to a table that is not Iceberg."""
    return HiveTableError(
        f"Glue table {lake.database}.{name} is not an Iceberg table ({detail}): run "
        f"`{MIGRATE_COMMAND}` to turn the Hive tables into Iceberg tables (their files "
        "are registered, not copied), then start again"
    )


def missing_columns(declared: Table, live: IcebergTable) -> tuple[str, ...]:
    """Declared columns the live table lacks, in declaration order (pure)."""
    have = {field.name for field in live.schema().fields}
    return tuple(name for name in declared.column_names if name not in have)


def stale_properties(live: IcebergTable) -> dict[str, str]:
    """Declared properties whose live value differs (pure): what to set again."""
    current = live.properties
    return {k: v for k, v in TABLE_PROPERTIES.items() if current.get(k) != v}


def ensure_namespace(catalog: Catalog, lake: Lake, description: str) -> None:
    """Create the Glue database of the lake if it is missing."""
    action = f"create Glue database {lake.database}"
    with translating_lake(action), suppress(NamespaceAlreadyExistsError):
        catalog.create_namespace(lake.database, {"Description": description})


def load_table(catalog: Catalog, lake: Lake, name: str) -> IcebergTable | None:
    """The Iceberg table ``name``; None if Glue has no such table; refused if not Iceberg."""
    with translating_lake(f"load Iceberg table {lake.database}.{name}"):
        try:
            return catalog.load_table(lake.identifier(name))
        except (NoSuchIcebergTableError, NoSuchPropertyException) as error:
            raise hive_table_error(lake, name, error) from error
        except NoSuchTableError:
            return None


def create_table(catalog: Catalog, lake: Lake, declared: Table) -> IcebergTable | None:
    """Create ``declared`` as an Iceberg table; None if another writer created it first."""
    schema = iceberg_schema(declared)
    properties = {
        "format-version": str(FORMAT_VERSION),
        NAME_MAPPING: schema.name_mapping.model_dump_json(),
        **TABLE_PROPERTIES,
    }
    with translating_lake(f"create Iceberg table {lake.database}.{declared.name}"):
        try:
            return catalog.create_table(
                lake.identifier(declared.name),
                schema=schema,
                location=lake.location(declared.name),
                partition_spec=partition_spec(declared, schema),
                properties=properties,
            )
        except TableAlreadyExistsError:
            return None


def evolve_table(live: IcebergTable, declared: Table) -> bool:
    """Add the declared columns ``live`` lacks and restore declared properties; True if it did.

    One commit; a conflict with another writer raises pyiceberg's
    ``CommitFailedException`` (the next start, or batch, tries again).
    """
    added = missing_columns(declared, live)
    stale = stale_properties(live)
    if not added and not stale:
        return False
    with translating_lake(f"evolve Iceberg table {live.name()}"), live.transaction() as tx:
        if added:
            with tx.update_schema() as update:
                update.union_by_name(iceberg_schema(declared))
        if stale:
            tx.set_properties(stale)
    return True


def ensure_table(catalog: Catalog, lake: Lake, declared: Table) -> EnsuredTable:
    """Create the table, or evolve it to the declaration; refuse a Hive table of that name."""
    live = load_table(catalog, lake, declared.name)
    if live is None:
        created = create_table(catalog, lake, declared)
        if created is not None:
            return EnsuredTable(created, TableChange.CREATED)
        live = load_table(catalog, lake, declared.name)  # another writer won the race
        if live is None:
            raise TransientError(
                f"Iceberg table {lake.database}.{declared.name} was created by another "
                "writer and is gone again; trying again later"
            )
    if evolve_table(live, declared):
        return EnsuredTable(live.refresh(), TableChange.EVOLVED)
    return EnsuredTable(live, TableChange.UNCHANGED)

"""What a Glue table is: absent, a Hive table (Parquet folders and partitions), or Iceberg.

pyiceberg refuses to load a Glue table that is not Iceberg; migration, maintenance
and the local query engine need to tell the two apart first. Pure but for
:func:`get_glue_table`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Literal

from spotify_etl_common.keys import parse_curated_key

from spotify_etl_lake.storage import split_uri

if TYPE_CHECKING:
    from mypy_boto3_glue import GlueClient

TableKind = Literal["absent", "hive", "iceberg"]


def table_kind(glue_table: Mapping[str, Any] | None) -> TableKind:
    """``iceberg`` when Glue's ``table_type`` parameter says so, ``hive`` for any other table."""
    if glue_table is None:
        return "absent"
    parameters = glue_table.get("Parameters") or {}
    return "iceberg" if str(parameters.get("table_type", "")).lower() == "iceberg" else "hive"


def table_location(glue_table: Mapping[str, Any]) -> str:
    """The table's ``StorageDescriptor.Location``; ValueError if it has none."""
    location = (glue_table.get("StorageDescriptor") or {}).get("Location")
    if not location:
        raise ValueError(f"Glue table {glue_table.get('Name')} has no location")
    return str(location)


def get_glue_table(glue: GlueClient, database: str, name: str) -> dict[str, Any] | None:
    """Glue's GetTable answer's ``Table``, or None when the table (or database) is absent."""
    try:
        answer = glue.get_table(DatabaseName=database, Name=name)
    except glue.exceptions.EntityNotFoundException:
        return None
    return dict(answer["Table"])


def hive_files(uris: Iterable[str], table: str) -> list[str]:
    """The Parquet files of ``table``'s Hive layout (``curated/<table>/dt=<day>/*.parquet``)
    among ``uris``, sorted: what a Hive table of the older cataloger reads."""
    found = []
    for uri in uris:
        _, key = split_uri(uri)
        parts = parse_curated_key(key)
        if parts is not None and parts.table == table:
            found.append(uri)
    return sorted(found)

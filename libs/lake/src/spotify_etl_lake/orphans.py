"""Files under a table's location that no snapshot references: which ones (pure), and the
set of files the metadata references (read from the table).

A file is referenced when the current metadata reaches it: the current and
logged metadata files, every snapshot's manifest list, its manifests, the live
data and delete files they list, and statistics files. Anything else under the
location (of a kind Iceberg writes) is an orphan once older than a safety
margin: a younger one may be a transformer file whose message waits for the
cataloger, or a commit in flight.

The default margin is 15 days: longer than the 14-day retention of the catalog
queue and its dead-letter queue, so a file written for a message that still
exists somewhere is never deleted. Should it happen anyway (a message redriven
by hand after its file went), the cataloger finds the file missing and sends the
message to the DLQ; ``spotify-etl replay`` of its raw object writes it again.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Final

from spotify_etl_lake.storage import StoredFile, normal_uri

if TYPE_CHECKING:
    from pyiceberg.table import Table

DEFAULT_ORPHAN_AGE: Final = timedelta(days=15)
"""Youngest unreferenced file deleted: beyond the 14-day queue and DLQ retention."""

ICEBERG_SUFFIXES: Final = (".parquet", ".avro", ".metadata.json", ".puffin", ".stats")
"""Kinds of file Iceberg (or the transformer) writes under a table's location; nothing else
there is ever deleted."""


def find_orphans(
    stored: Iterable[StoredFile], referenced: Iterable[str], now: datetime, min_age: timedelta
) -> tuple[StoredFile, ...]:
    """The stored files of an Iceberg kind that nothing references and that are at least
    ``min_age`` old (pure)."""
    keep = {normal_uri(uri) for uri in referenced}
    cutoff = now - min_age
    return tuple(
        f
        for f in stored
        if f.uri.endswith(ICEBERG_SUFFIXES)
        and normal_uri(f.uri) not in keep
        and f.last_modified <= cutoff
    )


def referenced_files(table: Table) -> set[str]:
    """Every file the table's current metadata reaches (see the module docstring)."""
    metadata = table.metadata
    io = table.io
    found = {table.metadata_location, *(entry.metadata_file for entry in metadata.metadata_log)}
    found |= {s.statistics_path for s in metadata.statistics}
    found |= {s.statistics_path for s in metadata.partition_statistics}
    manifests = {}
    for snapshot in metadata.snapshots:
        found.add(snapshot.manifest_list)
        for manifest in snapshot.manifests(io):
            manifests[manifest.manifest_path] = manifest
    for path, manifest in manifests.items():
        found.add(path)
        found |= {e.data_file.file_path for e in manifest.fetch_manifest_entry(io)}
    return {normal_uri(uri) for uri in found}

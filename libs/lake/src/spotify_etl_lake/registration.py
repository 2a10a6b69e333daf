"""Tables registered again from their metadata, and the data files their snapshots reference.

What a catalog that lost its tables (the local stack's moto, after a restart)
needs to get them back: ``register_table`` from a metadata file chosen by the
caller, then which of the lake's files the tables hold, so that only the
others are announced again.
"""

from __future__ import annotations

import contextlib
from collections.abc import Collection, Mapping
from concurrent.futures import ThreadPoolExecutor

from pyiceberg.catalog.glue import GlueCatalog
from pyiceberg.exceptions import NamespaceAlreadyExistsError, TableAlreadyExistsError
from pyiceberg.io import FileIO
from pyiceberg.manifest import ManifestFile
from pyiceberg.table import Table

READERS = 16
"""Manifest lists and manifests read at once (small files on a loopback S3)."""


def glue_catalog(properties: Mapping[str, str], name: str = "spotify-etl") -> GlueCatalog:
    """A pyiceberg Glue catalog with ``properties`` (no call is made until it is used)."""
    return GlueCatalog(name, **properties)  # type: ignore[arg-type]


def register_tables(
    catalog: GlueCatalog, database: str, bucket: str, newest: Mapping[str, str]
) -> dict[str, Table]:
    """Register each table of ``newest`` (table -> metadata key) in ``database``; the tables.

    A table already in the catalog is loaded as it is (``local up`` on a running stack).
    """
    with contextlib.suppress(NamespaceAlreadyExistsError):
        catalog.create_namespace(database)
    tables = {}
    for table, key in sorted(newest.items()):
        try:
            tables[table] = catalog.register_table((database, table), f"s3://{bucket}/{key}")
        except TableAlreadyExistsError:
            tables[table] = catalog.load_table((database, table))
    return tables


def committed_keys(table: Table, bucket: str, wanted: Collection[str]) -> set[str]:
    """The keys among ``wanted`` that a snapshot still in ``table``'s metadata references.

    Not the current snapshot alone: a file compacted away or deleted since it was
    committed has been handled, and announcing it again would add its rows back.
    The current snapshot's manifests are read first (in parallel); the other
    snapshots' only if some wanted key is still unaccounted for, each manifest once.
    """
    io = table.io
    prefix = f"s3://{bucket}/"
    left = {prefix + key for key in wanted}
    found: set[str] = set()
    read: set[str] = set()
    current = table.current_snapshot()
    first = [current] if current is not None else []
    others = [s for s in table.snapshots() if s not in first]
    with ThreadPoolExecutor(max_workers=READERS) as pool:
        for snapshots in (first, others):
            if not left or not snapshots:
                continue
            manifests = {
                m.manifest_path: m
                for listed in pool.map(lambda s: s.manifests(io), snapshots)
                for m in listed
                if m.manifest_path not in read
            }
            read |= manifests.keys()
            for paths in pool.map(lambda m: _paths(m, io), manifests.values()):
                found |= paths & left
            left -= found
    return {path.removeprefix(prefix) for path in found}


def _paths(manifest: ManifestFile, io: FileIO) -> set[str]:
    """Every data file path in ``manifest``, deleted entries included (they were committed)."""
    entries = manifest.fetch_manifest_entry(io, discard_deleted=False)
    return {str(entry.data_file.file_path) for entry in entries}

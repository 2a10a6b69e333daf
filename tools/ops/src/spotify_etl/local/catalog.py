"""The Glue catalog rebuilt from the lake: each Iceberg table registered from its newest metadata.

moto keeps the Glue catalog in memory; the tables themselves are on disk. Each
lives at ``s3://BUCKET/curated/<table>/`` with its metadata files under
``metadata/<n>-<uuid>.metadata.json``: at ``local up`` every table is registered
again (pyiceberg's ``register_table``) from the newest of them.

Newest: the highest version ``<n>`` (compared as a number, not as text); among
files of that version (a commit that lost a race leaves one behind) the one
with the latest ``last-updated-ms``; a file that cannot be read is passed over
for the next. Files without a version prefix are ranked by ``last-updated-ms``
below every numbered one.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Callable, Collection, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from spotify_etl_common.keys import CURATED_PREFIX
from spotify_etl_common.tables import TABLES

METADATA_SUFFIX = ".metadata.json"
READERS = 16
"""Manifest lists and manifests read at once (small files on a loopback S3)."""
_VERSION = re.compile(r"^(\d+)-")


@dataclass(frozen=True, order=True)
class MetadataFile:
    """One metadata file of a table, ranked by version then ``last-updated-ms``."""

    version: int
    """The ``<n>`` of ``<n>-<uuid>.metadata.json``; -1 without one."""
    last_updated_ms: int
    key: str


def metadata_keys(keys: Iterable[str]) -> dict[str, list[str]]:
    """The metadata files among ``keys`` by table: ``curated/<table>/metadata/*.metadata.json``."""
    found: dict[str, list[str]] = {}
    for key in keys:
        parts = key.removeprefix(CURATED_PREFIX).split("/")
        if (
            key.startswith(CURATED_PREFIX)
            and len(parts) == 3
            and parts[0] in TABLES
            and parts[1] == "metadata"
            and parts[2].endswith(METADATA_SUFFIX)
        ):
            found.setdefault(parts[0], []).append(key)
    return found


def metadata_version(key: str) -> int:
    """The version a metadata file's name gives, or -1."""
    match = _VERSION.match(key.rsplit("/", 1)[-1])
    return int(match.group(1)) if match else -1


def last_updated_ms(document: bytes) -> int | None:
    """``last-updated-ms`` of a metadata document, or None if it is not one."""
    try:
        value = json.loads(document)["last-updated-ms"]
    except (ValueError, KeyError, TypeError):
        return None
    return value if isinstance(value, int) else None


def newest_metadata(keys: Iterable[str], read: Callable[[str], bytes | None]) -> str | None:
    """The key of the newest readable metadata file among ``keys`` (``read`` fetches one)."""
    by_version: dict[int, list[str]] = {}
    for key in keys:
        by_version.setdefault(metadata_version(key), []).append(key)
    for version in sorted(by_version, reverse=True):
        readable = []
        for key in by_version[version]:
            document = read(key)
            updated = last_updated_ms(document) if document is not None else None
            if updated is not None:
                readable.append(MetadataFile(version, updated, key))
        if readable:
            return max(readable).key
    return None


def local_catalog_properties(
    glue_endpoint: str, s3_endpoint: str, region: str, key: str, secret: str
) -> dict[str, str]:
    """pyiceberg properties of a Glue catalog on moto whose files are on the local S3."""
    return {
        "glue.endpoint": glue_endpoint,
        "glue.region": region,
        "glue.access-key-id": key,
        "glue.secret-access-key": secret,
        "s3.endpoint": s3_endpoint,
        "s3.region": region,
        "s3.access-key-id": key,
        "s3.secret-access-key": secret,
        "s3.force-virtual-addressing": "false",
    }


def register_tables(
    catalog: Any, database: str, bucket: str, newest: Mapping[str, str]
) -> dict[str, Any]:
    """Register each table of ``newest`` (table -> metadata key) in ``database``; the tables.

    A table already in the catalog is loaded as it is (``local up`` on a running stack).
    """
    from pyiceberg.exceptions import NamespaceAlreadyExistsError, TableAlreadyExistsError

    with contextlib.suppress(NamespaceAlreadyExistsError):
        catalog.create_namespace(database)
    tables = {}
    for table, key in sorted(newest.items()):
        try:
            tables[table] = catalog.register_table((database, table), f"s3://{bucket}/{key}")
        except TableAlreadyExistsError:
            tables[table] = catalog.load_table((database, table))
    return tables


def committed_keys(table: Any, bucket: str, wanted: Collection[str]) -> set[str]:
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


def _paths(manifest: Any, io: Any) -> set[str]:
    """Every data file path in ``manifest``, deleted entries included (they were committed)."""
    entries = manifest.fetch_manifest_entry(io, discard_deleted=False)
    return {str(entry.data_file.file_path) for entry in entries}

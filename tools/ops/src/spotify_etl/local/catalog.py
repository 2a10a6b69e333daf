"""Which metadata file each Iceberg table of the lake is registered from at ``local up`` (pure).

moto keeps the Glue catalog in memory; the tables themselves are on disk. Each
lives at ``s3://BUCKET/curated/<table>/`` with its metadata files under
``metadata/<n>-<uuid>.metadata.json``: at ``local up`` every table is registered
again (:mod:`spotify_etl_lake.registration`) from the newest of them.

Newest: the highest version ``<n>`` (compared as a number, not as text); among
files of that version (a commit that lost a race leaves one behind) the one
with the latest ``last-updated-ms``; a file that cannot be read is passed over
for the next. Files without a version prefix are ranked by ``last-updated-ms``
below every numbered one.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from spotify_etl_common.keys import CURATED_PREFIX
from spotify_etl_common.tables import TABLES

METADATA_SUFFIX = ".metadata.json"
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

"""Which metadata file a table is registered from at ``local up``: the newest, read robustly."""

from __future__ import annotations

import json

from spotify_etl.local.catalog import (
    local_catalog_properties,
    metadata_keys,
    metadata_version,
    newest_metadata,
)

PREFIX = "curated/plays/metadata/"


def doc(updated: int) -> bytes:
    return json.dumps({"format-version": 2, "last-updated-ms": updated}).encode()


def newest(documents: dict[str, bytes | None]) -> tuple[str | None, list[str]]:
    read: list[str] = []

    def fetch(key: str) -> bytes | None:
        read.append(key)
        return documents[key]

    return newest_metadata(list(documents), fetch), read


def test_the_highest_version_wins_compared_as_a_number() -> None:
    """Past 99999 the names grow a digit: text order would pick 99999."""
    chosen, read = newest(
        {
            f"{PREFIX}99999-a.metadata.json": doc(5),
            f"{PREFIX}100000-b.metadata.json": doc(4),
            f"{PREFIX}00002-c.metadata.json": doc(9),
        }
    )
    assert chosen == f"{PREFIX}100000-b.metadata.json"
    assert read == [f"{PREFIX}100000-b.metadata.json"]  # older versions are not read


def test_two_files_of_one_version_are_told_apart_by_last_updated() -> None:
    chosen, _ = newest(
        {
            f"{PREFIX}00007-early.metadata.json": doc(100),
            f"{PREFIX}00007-late.metadata.json": doc(200),
        }
    )
    assert chosen == f"{PREFIX}00007-late.metadata.json"


def test_an_unreadable_newest_file_falls_back_to_the_one_before() -> None:
    chosen, _ = newest(
        {
            f"{PREFIX}00003-broken.metadata.json": b"{not json",
            f"{PREFIX}00004-gone.metadata.json": None,
            f"{PREFIX}00002-good.metadata.json": doc(1),
        }
    )
    assert chosen == f"{PREFIX}00002-good.metadata.json"


def test_files_without_a_version_rank_below_numbered_ones() -> None:
    chosen, _ = newest(
        {f"{PREFIX}abc.metadata.json": doc(999), f"{PREFIX}00001-x.metadata.json": doc(1)}
    )
    assert chosen == f"{PREFIX}00001-x.metadata.json"
    assert metadata_version(f"{PREFIX}abc.metadata.json") == -1


def test_no_readable_file_means_no_table() -> None:
    assert newest({f"{PREFIX}00001-x.metadata.json": b"[]"})[0] is None


def test_metadata_files_are_found_per_declared_table_only() -> None:
    keys = [
        f"{PREFIX}00001-a.metadata.json",
        f"{PREFIX}snap-1-a.avro",
        "curated/plays/dt=2026-11-24/abc.parquet",
        "curated/tracks/metadata/00000-b.metadata.json",
        "curated/not_a_table/metadata/00000-c.metadata.json",
        "curated/plays/metadata/old/00000-d.metadata.json",
    ]
    assert metadata_keys(keys) == {
        "plays": [f"{PREFIX}00001-a.metadata.json"],
        "tracks": ["curated/tracks/metadata/00000-b.metadata.json"],
    }


def test_the_catalog_reaches_glue_on_moto_and_files_on_the_local_s3() -> None:
    properties = local_catalog_properties("http://m", "http://s", "us-east-1", "k", "s")
    assert properties["glue.endpoint"] == "http://m"
    assert properties["s3.endpoint"] == "http://s"
    assert properties["s3.force-virtual-addressing"] == "false"

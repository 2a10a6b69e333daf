"""Which stored files are orphans."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from spotify_etl_lake.orphans import find_orphans
from spotify_etl_lake.storage import StoredFile

NOW = datetime(2026, 12, 10, tzinfo=UTC)
ROOT = "s3://lake/curated/tracks/"


def stored(name: str, hours_ago: float) -> StoredFile:
    return StoredFile(ROOT + name, 10, NOW - timedelta(hours=hours_ago))


def test_unreferenced_files_older_than_the_margin_are_orphans() -> None:
    files = [
        stored("dt=2026-11-01/a.parquet", 400),  # old, referenced
        stored("dt=2026-11-01/b.parquet", 400),  # old, unreferenced: orphan
        stored("dt=2026-12-09/c.parquet", 20),  # young, unreferenced: awaiting its commit
        stored("metadata/snap-1.avro", 400),  # old manifest list, unreferenced: orphan
        stored("metadata/00001-x.metadata.json", 400),  # old metadata, unreferenced: orphan
    ]
    referenced = {ROOT + "dt=2026-11-01/a.parquet"}
    orphans = find_orphans(files, referenced, NOW, timedelta(days=15))
    assert [o.uri.removeprefix(ROOT) for o in orphans] == [
        "dt=2026-11-01/b.parquet",
        "metadata/snap-1.avro",
        "metadata/00001-x.metadata.json",
    ]


def test_a_zero_margin_takes_every_unreferenced_file() -> None:
    files = [stored("data/new.parquet", 0)]
    assert find_orphans(files, set(), NOW, timedelta(0)) == tuple(files)


def test_references_in_another_s3_scheme_still_protect_a_file() -> None:
    files = [stored("data/a.parquet", 400)]
    assert (
        find_orphans(files, {"s3a://lake/curated/tracks/data/a.parquet"}, NOW, timedelta(0)) == ()
    )


def test_files_of_kinds_iceberg_does_not_write_are_never_orphans() -> None:
    files = [stored("README.md", 400), stored("dt=2026-11-01/_SUCCESS", 400)]
    assert find_orphans(files, set(), NOW, timedelta(0)) == ()

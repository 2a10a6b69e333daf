"""The cataloger's commits on moto: Iceberg tables made at start, one transaction per table
per batch, exact replays, a refused file failing alone."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import polars as pl
import pytest
from cataloger.committer import LakeCommitter
from cataloger.files import CuratedFiles
from cataloger.service import Cataloger
from cataloger.settings import CatalogerSettings
from pyiceberg.catalog.glue import GlueCatalog
from spotify_etl_common.errors import PermanentError
from spotify_etl_common.tables import TABLES
from spotify_etl_lake.tables import HiveTableError

from .conftest import Files, received, scanned

if TYPE_CHECKING:
    from types_aiobotocore_glue import GlueClient

pytestmark = pytest.mark.integration

Batch = Callable[..., Any]


def metadata_versions(catalog: GlueCatalog, database: str, table: str) -> int:
    """How many table states (metadata files) the table has had: one per commit."""
    return len(catalog.load_table((database, table)).metadata.metadata_log) + 1


async def test_start_creates_every_table_as_iceberg_and_again_changes_nothing(
    cataloger: Cataloger, glue: GlueClient, settings: CatalogerSettings
) -> None:
    assert await cataloger.start() == dict.fromkeys(sorted(TABLES), "created")
    listed = (await glue.get_tables(DatabaseName=settings.database))["TableList"]
    assert sorted(t["Name"] for t in listed) == sorted(TABLES)
    assert {t.get("Parameters", {}).get("table_type") for t in listed} == {"ICEBERG"}

    assert await cataloger.start() == dict.fromkeys(sorted(TABLES), "unchanged")
    again = (await glue.get_tables(DatabaseName=settings.database))["TableList"]
    assert again == listed  # no commit: the same metadata locations and versions


async def test_a_batch_is_one_commit_per_table_holding_every_files_rows(
    cataloger: Cataloger, catalog: GlueCatalog, settings: CatalogerSettings, batch: Batch
) -> None:
    await cataloger.start()
    before = {t: metadata_versions(catalog, settings.database, t) for t in ("albums", "plays")}
    items = batch(
        *[("albums", "2026-11-24")] * 5, ("albums", "2026-10-31"), ("plays", "2026-11-24")
    )

    outcome = await cataloger.handle_batch(items)

    assert outcome.failures == {}
    assert outcome.summary == {
        "tables": ["albums", "plays"],
        "sources": 7,
        "files_added": 7,
        "commit_attempts": 2,
        "tables_changed": [],
    }
    for table in ("albums", "plays"):
        assert metadata_versions(catalog, settings.database, table) == before[table] + 1
    albums = scanned(catalog, settings.database, "albums")
    assert albums.height == 6
    assert sorted(albums["source_key"]) == sorted(m.source_key for m, _ in items[:6])
    live = catalog.load_table((settings.database, "albums"))
    months = {
        p["extracted_at_month"] for p in live.inspect.partitions().column("partition").to_pylist()
    }
    assert len(months) == 2  # October and November: hidden month partitions of extracted_at


async def test_a_redelivered_batch_leaves_the_tables_as_they_were(
    cataloger: Cataloger, catalog: GlueCatalog, settings: CatalogerSettings, batch: Batch
) -> None:
    await cataloger.start()
    items = batch(*[("tracks", "2026-11-24")] * 3)
    await cataloger.handle_batch(items)
    first = scanned(catalog, settings.database, "tracks")

    again = await cataloger.handle_batch(items + items[:1])  # and one twice in the same batch

    assert again.failures == {}
    assert scanned(catalog, settings.database, "tracks").equals(first)


async def test_a_replay_with_other_rows_replaces_that_raw_objects_rows_only(
    cataloger: Cataloger, catalog: GlueCatalog, settings: CatalogerSettings, table_files: Files
) -> None:
    await cataloger.start()
    await cataloger.handle_batch(
        [(table_files.message("artists", "2026-11-24", n, rows=2), received(n)) for n in (0, 1)]
    )

    replay = table_files.message("artists", "2026-11-24", 1, rows=3, tag="b")
    outcome = await cataloger.handle_batch([(replay, received(9))])

    assert outcome.failures == {}
    rows = scanned(catalog, settings.database, "artists")
    assert rows.select("source_key", "artist_id").rows() == [
        ("raw/source=albums/album_id=a0.json", "a0"),
        ("raw/source=albums/album_id=a0.json", "a1"),
        ("raw/source=albums/album_id=a1.json", "b0"),
        ("raw/source=albums/album_id=a1.json", "b1"),
        ("raw/source=albums/album_id=a1.json", "b2"),
    ]


async def test_a_file_without_rows_adds_nothing_but_its_objects_old_rows_leave(
    cataloger: Cataloger, catalog: GlueCatalog, settings: CatalogerSettings, table_files: Files
) -> None:
    await cataloger.start()
    await cataloger.handle_batch([(table_files.message("episodes", "2026-11-24", 0), received(0))])

    outcome = await cataloger.handle_batch(
        [(table_files.message("episodes", "2026-11-24", 0, rows=0), received(1))]
    )

    assert (outcome.failures, outcome.summary["files_added"]) == ({}, 0)
    assert scanned(catalog, settings.database, "episodes").height == 0
    assert len(catalog.load_table((settings.database, "episodes")).inspect.files()) == 0


async def test_bad_messages_fail_alone_and_the_rest_of_the_batch_is_committed(
    cataloger: Cataloger, catalog: GlueCatalog, settings: CatalogerSettings, batch: Batch
) -> None:
    await cataloger.start()
    outcome = await cataloger.handle_batch(
        batch(("albums", "2026-11-24"), ("genres", "2026-11-24"))
    )
    assert list(outcome.failures) == ["m1"]
    assert isinstance(outcome.failures["m1"], PermanentError)
    assert scanned(catalog, settings.database, "albums").height == 1


async def test_a_file_the_table_refuses_fails_only_its_raw_objects_messages(
    cataloger: Cataloger,
    catalog: GlueCatalog,
    settings: CatalogerSettings,
    table_files: Files,
    aws_env: Any,
) -> None:
    await cataloger.start()
    good = [(table_files.message("albums", "2026-11-24", n), received(n)) for n in (0, 1)]
    refused = table_files.message("albums", "2026-11-24", 2)
    # the same key now holds a file whose release_year is text: the table cannot take it
    buffer = io.BytesIO()
    pl.DataFrame(
        {"album_id": ["x"], "release_year": ["nineteen"], "source_key": [refused.source_key]}
    ).write_parquet(buffer)
    aws_env.client("s3").put_object(Bucket=settings.bucket, Key=refused.key, Body=buffer.getvalue())

    outcome = await cataloger.handle_batch([*good, (refused, received(2))])

    assert list(outcome.failures) == ["m2"]
    assert isinstance(outcome.failures["m2"], PermanentError)
    assert sorted(scanned(catalog, settings.database, "albums")["source_key"]) == sorted(
        m.source_key for m, _ in good
    )


async def test_a_table_or_database_dropped_mid_run_is_made_again_by_the_next_batch(
    cataloger: Cataloger,
    glue: GlueClient,
    catalog: GlueCatalog,
    settings: CatalogerSettings,
    batch: Batch,
) -> None:
    await cataloger.start()
    await glue.delete_table(DatabaseName=settings.database, Name="albums")
    dropped_table = await cataloger.handle_batch(batch(("albums", "2026-11-24")))
    for name in list(TABLES):
        await glue.delete_table(DatabaseName=settings.database, Name=name)
    await glue.delete_database(Name=settings.database)
    dropped_database = await cataloger.handle_batch(batch(("plays", "2026-11-24")))

    assert (dropped_table.failures, dropped_table.summary["tables_changed"]) == ({}, ["albums"])
    assert (dropped_database.failures, dropped_database.summary["tables_changed"]) == (
        {},
        ["plays"],
    )
    assert scanned(catalog, settings.database, "plays").height == 1


async def test_a_hive_table_stops_the_start_naming_the_migration(
    committer: LakeCommitter, glue: GlueClient, settings: CatalogerSettings, files: CuratedFiles
) -> None:
    await glue.create_database(DatabaseInput={"Name": settings.database})
    await glue.create_table(
        DatabaseName=settings.database,
        TableInput={
            "Name": "plays",
            "TableType": "EXTERNAL_TABLE",
            "Parameters": {"classification": "parquet"},
            "StorageDescriptor": {"Location": f"s3://{settings.bucket}/curated/plays/"},
        },
    )

    with pytest.raises(HiveTableError, match="run `spotify-etl migrate-tables`"):
        await Cataloger(committer, settings.bucket, TABLES, files).start()

"""Glue database, tables and partitions on moto: created, idempotent, updated in place."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import pytest
from cataloger.definitions import table_input
from cataloger.files import CuratedFiles
from cataloger.glue_catalog import GlueCatalog
from cataloger.service import Cataloger, CatalogOptions
from cataloger.settings import CatalogerSettings
from spotify_etl_common.errors import PermanentError
from spotify_etl_common.tables import TABLES

if TYPE_CHECKING:
    from types_aiobotocore_glue import GlueClient

pytestmark = pytest.mark.integration

Batch = Callable[..., Any]


async def columns_of(glue: GlueClient, database: str, table: str) -> list[tuple[str, str]]:
    answer = await glue.get_table(DatabaseName=database, Name=table)
    storage = answer["Table"].get("StorageDescriptor", {})
    return [(c["Name"], c.get("Type", "")) for c in storage.get("Columns", [])]


async def partitions_of(glue: GlueClient, database: str, table: str) -> list[list[str]]:
    answer = await glue.get_partitions(DatabaseName=database, TableName=table)
    return sorted(p.get("Values", []) for p in answer["Partitions"])


async def test_start_creates_the_database_and_every_table_with_declared_types(
    cataloger: Cataloger, glue: GlueClient, settings: CatalogerSettings
) -> None:
    assert await cataloger.start() == dict.fromkeys(sorted(TABLES), "created")
    answer = await glue.get_tables(DatabaseName=settings.database)
    assert sorted(t["Name"] for t in answer["TableList"]) == sorted(TABLES)
    assert await columns_of(glue, settings.database, "albums") == [
        ("album_id", "string"),
        ("name", "string"),
        ("album_type", "string"),
        ("release_date", "date"),
        ("release_date_precision", "string"),
        ("release_year", "int"),
        ("total_tracks", "int"),
        ("url", "string"),
        ("uri", "string"),
        ("source_key", "string"),
        ("extracted_at", "timestamp"),
    ]
    table = (await glue.get_table(DatabaseName=settings.database, Name="plays"))["Table"]
    assert table.get("PartitionKeys") == [
        {"Name": "dt", "Type": "string", "Comment": "UTC day of extraction, yyyy-mm-dd"}
    ]
    storage = table.get("StorageDescriptor", {})
    assert storage.get("Location") == f"s3://{settings.bucket}/curated/plays/"
    assert storage.get("SerdeInfo", {}).get("SerializationLibrary") == (
        "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
    )


async def test_start_again_changes_nothing(
    cataloger: Cataloger, glue: GlueClient, settings: CatalogerSettings
) -> None:
    await cataloger.start()
    before = (await glue.get_tables(DatabaseName=settings.database))["TableList"]
    assert await cataloger.start() == dict.fromkeys(sorted(TABLES), "unchanged")
    after = (await glue.get_tables(DatabaseName=settings.database))["TableList"]
    assert after == before  # no update_table call: same version ids and update times


async def test_a_batch_adds_each_partition_once_per_table(
    cataloger: Cataloger, glue: GlueClient, settings: CatalogerSettings, batch: Batch
) -> None:
    await cataloger.start()
    items = batch(
        *[("albums", "2026-11-24")] * 5,
        ("albums", "2026-11-23"),
        ("plays", "2026-11-24"),
    )
    outcome = await cataloger.handle_batch(items)
    assert outcome.failures == {}
    assert outcome.summary == {
        "tables": ["albums", "plays"],
        "new_partitions": 3,
        "tables_changed": [],
    }
    assert await partitions_of(glue, settings.database, "albums") == [
        ["2026-11-23"],
        ["2026-11-24"],
    ]
    assert await partitions_of(glue, settings.database, "plays") == [["2026-11-24"]]
    again = await cataloger.handle_batch(items)
    assert (again.failures, again.summary["new_partitions"]) == ({}, 0)


async def test_more_than_100_partitions_are_added_in_several_calls(
    cataloger: Cataloger, glue: GlueClient, settings: CatalogerSettings, batch: Batch
) -> None:
    await cataloger.start()
    days = [(date(2026, 1, 1) + timedelta(days=n)).isoformat() for n in range(230)]
    outcome = await cataloger.handle_batch(batch(*[("tracks", d) for d in days]))
    assert outcome.summary["new_partitions"] == 230
    assert len(await partitions_of(glue, settings.database, "tracks")) == 230


async def test_a_table_whose_schema_gained_a_column_is_updated_not_failed(
    files: CuratedFiles, glue: GlueClient, settings: CatalogerSettings, batch: Batch
) -> None:
    albums = TABLES["albums"]
    older = replace(albums, columns=tuple(c for c in albums.columns if c.name != "release_year"))
    catalog = GlueCatalog(glue, settings.database)
    await catalog.ensure_database("test")
    await catalog.ensure_table(table_input(settings.bucket, older))
    cataloger = Cataloger(catalog, CatalogOptions(settings.bucket), TABLES, files)

    outcome = await cataloger.handle_batch(batch(("albums", "2026-11-24")))

    assert outcome.failures == {}
    assert outcome.summary["tables_changed"] == ["albums"]
    names = [n for n, _ in await columns_of(glue, settings.database, "albums")]
    assert names == list(albums.column_names)
    assert await partitions_of(glue, settings.database, "albums") == [["2026-11-24"]]


async def test_with_partition_projection_tables_carry_it_and_no_partitions_are_added(
    files: CuratedFiles, glue: GlueClient, settings: CatalogerSettings, batch: Batch
) -> None:
    from cataloger.definitions import Projection

    cataloger = Cataloger(
        GlueCatalog(glue, settings.database),
        CatalogOptions(settings.bucket, Projection("2024-01-01")),
        TABLES,
        files,
    )
    await cataloger.start()
    outcome = await cataloger.handle_batch(batch(("plays", "2026-11-24")))
    assert outcome.failures == {}
    table = (await glue.get_table(DatabaseName=settings.database, Name="plays"))["Table"]
    parameters = table.get("Parameters", {})
    assert parameters["projection.enabled"] == "true"
    assert parameters["storage.location.template"] == (
        f"s3://{settings.bucket}/curated/plays/dt=${{dt}}/"
    )
    assert await partitions_of(glue, settings.database, "plays") == []


async def test_bad_messages_fail_alone_and_the_rest_of_the_batch_is_catalogued(
    cataloger: Cataloger, glue: GlueClient, settings: CatalogerSettings, batch: Batch
) -> None:
    await cataloger.start()
    items = batch(("albums", "2026-11-24"), ("genres", "2026-11-24"))
    outcome = await cataloger.handle_batch(items)
    assert list(outcome.failures) == ["m1"]
    assert isinstance(outcome.failures["m1"], PermanentError)
    assert await partitions_of(glue, settings.database, "albums") == [["2026-11-24"]]


async def test_a_missing_database_mid_run_fails_the_tables_messages_not_others(
    cataloger: Cataloger, glue: GlueClient, settings: CatalogerSettings, batch: Batch
) -> None:
    await cataloger.start()
    await glue.delete_database(Name=settings.database)
    outcome = await cataloger.handle_batch(batch(("albums", "2026-11-24")))
    assert list(outcome.failures) == ["m0"]
    assert "EntityNotFoundException" in outcome.failures["m0"].reason

"""Ensuring the Iceberg tables in Glue (moto): created once, evolved, a Hive table refused."""

from __future__ import annotations

import dataclasses

import pytest
from pyiceberg.table import TableProperties
from pyiceberg.transforms import MonthTransform
from spotify_etl_common.tables import TABLES
from spotify_etl_lake.commit import replace_sources
from spotify_etl_lake.tables import (
    MIGRATE_COMMAND,
    HiveTableError,
    TableChange,
    ensure_table,
)

from tests.conftest import LocalAws

from .conftest import LakeOnMoto

pytestmark = pytest.mark.integration
ARTISTS = TABLES["artists"]


def test_a_missing_table_is_created_as_iceberg_v2_by_month_of_extraction(
    on_moto: LakeOnMoto, aws_env: LocalAws
) -> None:
    ensured = ensure_table(on_moto.catalog, on_moto.lake, ARTISTS)

    table = ensured.table
    assert ensured.change is TableChange.CREATED
    assert table.format_version == 2
    assert table.location() == f"s3://{on_moto.lake.bucket}/curated/artists"
    assert [f.name for f in table.schema().fields] == list(ARTISTS.column_names)
    (field,) = table.spec().fields
    assert (field.name, field.transform) == ("extracted_at_month", MonthTransform())
    assert table.properties[TableProperties.COMMIT_NUM_RETRIES] == "0"
    assert TableProperties.DEFAULT_NAME_MAPPING in table.properties
    glue = aws_env.client("glue").get_table(DatabaseName=on_moto.lake.database, Name="artists")
    assert glue["Table"]["Parameters"]["table_type"] == "ICEBERG"
    assert ensure_table(on_moto.catalog, on_moto.lake, ARTISTS).change is TableChange.UNCHANGED


def test_a_declaration_with_a_new_column_evolves_the_table_and_its_files_read_it(
    on_moto: LakeOnMoto,
) -> None:
    older = dataclasses.replace(
        ARTISTS, columns=tuple(c for c in ARTISTS.columns if c.name != "uri")
    )
    ensure_table(on_moto.catalog, on_moto.lake, older)

    ensured = ensure_table(on_moto.catalog, on_moto.lake, ARTISTS)

    assert ensured.change is TableChange.EVOLVED
    assert set(ensured.table.schema().column_names) == set(ARTISTS.column_names)
    path = on_moto.put_artists("raw/a.json", "A1")
    table = replace_sources(ensured.table, ["raw/a.json"], [path]).table
    assert table.scan().to_arrow().column("uri").to_pylist() == ["spotify:artist:A1"]


def test_a_declared_property_changed_by_hand_is_put_back(on_moto: LakeOnMoto) -> None:
    table = ensure_table(on_moto.catalog, on_moto.lake, ARTISTS).table
    with table.transaction() as tx:
        tx.set_properties({TableProperties.COMMIT_NUM_RETRIES: "4"})

    ensured = ensure_table(on_moto.catalog, on_moto.lake, ARTISTS)

    assert ensured.change is TableChange.EVOLVED
    assert ensured.table.properties[TableProperties.COMMIT_NUM_RETRIES] == "0"


def test_a_hive_table_of_the_same_name_is_refused_naming_the_migration(
    on_moto: LakeOnMoto, aws_env: LocalAws
) -> None:
    aws_env.client("glue").create_table(
        DatabaseName=on_moto.lake.database,
        TableInput={
            "Name": "artists",
            "TableType": "EXTERNAL_TABLE",
            "Parameters": {"classification": "parquet"},
            "PartitionKeys": [{"Name": "dt", "Type": "string"}],
            "StorageDescriptor": {
                "Columns": [{"Name": "artist_id", "Type": "string"}],
                "Location": f"s3://{on_moto.lake.bucket}/curated/artists/",
            },
        },
    )

    with pytest.raises(HiveTableError) as refused:
        ensure_table(on_moto.catalog, on_moto.lake, ARTISTS)

    assert f"{on_moto.lake.database}.artists is not an Iceberg table" in refused.value.reason
    assert f"run `{MIGRATE_COMMAND}`" in refused.value.reason
    assert "\n" not in refused.value.reason

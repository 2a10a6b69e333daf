"""Migration on moto after a crash: each leftover state is finished by running it again."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from spotify_etl_common.tables import TABLES
from spotify_etl_lake.migrate import migrate_lake, staging_name
from spotify_etl_lake.schema import iceberg_schema, partition_spec
from spotify_etl_lake.storage import ObjectStore

from tests.conftest import LocalAws
from tests.lake_tables import TestLake, parquet

pytestmark = pytest.mark.integration

AT = datetime(2026, 11, 20, 8, tzinfo=UTC)


@pytest.fixture
def lake(aws_env: LocalAws) -> TestLake:
    lake = TestLake.fresh(aws_env)
    aws_env.client("glue").create_database(DatabaseInput={"Name": lake.database})
    return lake


def hive_tracks(lake: TestLake) -> list[str]:
    """A Hive table ``tracks`` over two files in one ``dt`` partition, as the older cataloger."""
    uris = [
        lake.put(
            f"curated/tracks/dt=2026-11-20/{n}.parquet",
            parquet(
                "tracks", [{"track_id": f"T{n}", "source_key": f"raw/{n}", "extracted_at": AT}]
            ),
        )
        for n in range(2)
    ]
    glue = lake.aws.client("glue")
    glue.create_table(
        DatabaseName=lake.database,
        TableInput={
            "Name": "tracks",
            "TableType": "EXTERNAL_TABLE",
            "Parameters": {"classification": "parquet"},
            "StorageDescriptor": {
                "Columns": [{"Name": "track_id", "Type": "string"}],
                "Location": f"s3://{lake.bucket}/curated/tracks/",
            },
            "PartitionKeys": [{"Name": "dt", "Type": "string"}],
        },
    )
    glue.create_partition(
        DatabaseName=lake.database,
        TableName="tracks",
        PartitionInput={"Values": ["2026-11-20"], "StorageDescriptor": {"Columns": []}},
    )
    return uris


def leave_staging(lake: TestLake) -> None:
    """The staging table a crash left (an empty Iceberg table at the table's location)."""
    schema = iceberg_schema(TABLES["tracks"])
    lake.catalog().create_table(
        lake.lake.identifier(staging_name("tracks")),
        schema=schema,
        location=lake.lake.location("tracks"),
        partition_spec=partition_spec(TABLES["tracks"], schema),
    )


def migrate(lake: TestLake) -> list[str]:
    steps = migrate_lake(
        lake.catalog(), ObjectStore(lake.endpoints), lake.lake, [TABLES["tracks"]], dry_run=False
    )
    assert not [s for s in steps if s.failure]
    return [s.action for s in steps]


def tables(lake: TestLake) -> set[str]:
    answer = lake.aws.client("glue").get_tables(DatabaseName=lake.database)
    return {t["Name"] for t in answer["TableList"]}


def test_a_staging_table_left_before_the_swap_is_dropped_and_built_again(lake: TestLake) -> None:
    uris = hive_tracks(lake)
    leave_staging(lake)
    assert migrate(lake) == ["migrate"]
    assert tables(lake) == {"tracks"}
    scanned = lake.table("tracks").scan().to_arrow()
    assert sorted(scanned["track_id"].to_pylist()) == ["T0", "T1"]
    assert {task.file.file_path for task in lake.table("tracks").scan().plan_files()} == set(uris)


def test_leftovers_after_the_swap_are_cleared_and_then_nothing_is_left_to_do(
    lake: TestLake,
) -> None:
    hive_tracks(lake)
    assert migrate(lake) == ["migrate"]
    leave_staging(lake)  # as if the crash came before the staging table was dropped
    glue = lake.aws.client("glue")
    glue.create_partition(
        DatabaseName=lake.database,
        TableName="tracks",
        PartitionInput={"Values": ["2026-11-21"], "StorageDescriptor": {"Columns": []}},
    )
    location = lake.table("tracks").metadata_location
    assert migrate(lake) == ["finish"]
    assert tables(lake) == {"tracks"}
    assert glue.get_partitions(DatabaseName=lake.database, TableName="tracks")["Partitions"] == []
    assert lake.table("tracks").metadata_location == location
    assert migrate(lake) == ["nothing"]

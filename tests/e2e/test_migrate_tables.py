"""``spotify-etl migrate-tables`` on a Hive lake written the way the older cataloger wrote it.

The extractor and transformer run as processes against moto and the fake Spotify
(curated Parquet under ``curated/<table>/dt=<day>/``); the Glue tables and
partitions are then made exactly as the older cataloger's definitions made them
(Hive tables partitioned by ``dt``). The views on the local engine must give the
same rows before and after, the files must stay where they are, and a second run
must change nothing.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fake_spotify.catalog import CatalogSpec, build_catalog
from fake_spotify.server import FakeConfig, FakeSpotify
from spotify_etl.local.provision import Provisioned
from spotify_etl.query.local_engine import connect_lake, run_query
from spotify_etl.query.target import LocalTarget
from spotify_etl_common.tables import TABLES, Column, Table
from spotify_etl_views import load_views

from tests.conftest import LocalAws, fake_spotify_env

pytestmark = pytest.mark.e2e
BIN = Path(sys.executable).parent

# The older cataloger's Glue payloads (services/cataloger/src/cataloger/definitions.py
# before Iceberg), spelled out here: that code is gone from the cataloger.
GLUE_TYPES = {
    "string": "string",
    "bigint": "bigint",
    "int": "int",
    "boolean": "boolean",
    "date": "date",
    "timestamp": "timestamp",
    "double": "double",
}
DT = Column("dt", "string", "UTC day of extraction, yyyy-mm-dd", nullable=False)


def column_input(column: Column) -> dict[str, str]:
    return {"Name": column.name, "Type": GLUE_TYPES[column.type], "Comment": column.comment}


def storage_descriptor(location: str, columns: tuple[Column, ...]) -> dict[str, Any]:
    return {
        "Columns": [column_input(c) for c in columns],
        "Location": location,
        "InputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
        "OutputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
        "Compressed": False,
        "NumberOfBuckets": -1,
        "SerdeInfo": {
            "SerializationLibrary": "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
            "Parameters": {"serialization.format": "1"},
        },
        "StoredAsSubDirectories": False,
    }


def hive_table_input(bucket: str, table: Table) -> dict[str, Any]:
    return {
        "Name": table.name,
        "Description": table.comment,
        "TableType": "EXTERNAL_TABLE",
        "Parameters": {
            "classification": "parquet",
            "parquet.compression": "ZSTD",
            "EXTERNAL": "TRUE",
            "spotify_etl.schema_version": str(table.schema_version),
        },
        "StorageDescriptor": storage_descriptor(
            f"s3://{bucket}/curated/{table.name}/", table.columns
        ),
        "PartitionKeys": [column_input(DT)],
    }


def hive_partition_input(bucket: str, table: Table, day: str) -> dict[str, Any]:
    location = f"s3://{bucket}/curated/{table.name}/dt={day}/"
    return {"Values": [day], "StorageDescriptor": storage_descriptor(location, table.columns)}


@pytest.fixture
def fake() -> Iterator[FakeSpotify]:
    server = FakeSpotify(build_catalog(CatalogSpec(playlists=2, items=30, plays=20)), FakeConfig())
    server.start()
    yield server
    server.stop()


def run(argv: list[str], env: dict[str, str], timeout: float = 180) -> str:
    done = subprocess.run(
        [str(BIN / argv[0]), *argv[1:]],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, f"{argv} exited {done.returncode}:\n{done.stderr[-3000:]}"
    return done.stdout


def curated_objects(aws: LocalAws, bucket: str) -> dict[str, str]:
    pages = aws.client("s3").get_paginator("list_objects_v2").paginate(Bucket=bucket)
    return {
        o["Key"]: o["ETag"]
        for page in pages
        for o in page.get("Contents", [])
        if o["Key"].startswith("curated/") and "/dt=" in o["Key"]
    }


def every_view(target: LocalTarget) -> dict[str, list[str]]:
    with connect_lake(target, TABLES, load_views()) as con:
        return {
            view.name: sorted(repr(r) for r in run_query(con, f'SELECT * FROM "{view.name}"').rows)
            for view in load_views()
        }


def test_a_hive_lake_becomes_iceberg_in_place_and_the_views_agree(
    moto_server: LocalAws, stack: Provisioned, fake: FakeSpotify
) -> None:
    bucket = stack.names.bucket
    database = f"hive_{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        **moto_server.env(stack.names),
        **fake_spotify_env(fake),
        "CATALOGER_DATABASE": database,
        "EXTRACTOR_MAX_ENTITIES": "0",
        "SPOTIFY_ETL_EXIT_WHEN_IDLE": "2",
        "SPOTIFY_ETL_WAIT_SECONDS": "1",
        "SPOTIFY_ETL_STATE_DIR": str(Path(os.environ.get("TMPDIR", "/tmp")) / database),
    }
    run(["extractor", "run-once"], env)
    run(["transformer"], env)
    files = curated_objects(moto_server, bucket)
    glue = moto_server.client("glue")
    glue.create_database(DatabaseInput={"Name": database})
    days: dict[str, set[str]] = {}
    for key in files:
        table, folder = key.split("/")[1:3]
        days.setdefault(table, set()).add(folder.removeprefix("dt="))
    assert {"tracks", "plays", "playlist_items"} <= set(days)
    for name, table_days in days.items():
        glue.create_table(DatabaseName=database, TableInput=hive_table_input(bucket, TABLES[name]))
        glue.batch_create_partition(
            DatabaseName=database,
            TableName=name,
            PartitionInputList=[hive_partition_input(bucket, TABLES[name], d) for d in table_days],
        )
    target = LocalTarget(moto_server.endpoint, bucket, "testing", "testing", "e2e", database)
    before = every_view(target)
    assert before["songs"]  # the views have rows to compare

    plan = run(["spotify-etl", "migrate-tables", "--dry-run"], env)
    assert "tracks: Hive table" in plan
    assert "register" in plan
    tracks = glue.get_table(DatabaseName=database, Name="tracks")["Table"]
    assert "table_type" not in tracks["Parameters"]  # the dry run changed nothing

    run(["spotify-etl", "migrate-tables"], env)
    for name in days:
        table = glue.get_table(DatabaseName=database, Name=name)["Table"]
        assert table["Parameters"]["table_type"] == "ICEBERG"
        assert table.get("PartitionKeys", []) == []
        assert glue.get_partitions(DatabaseName=database, TableName=name)["Partitions"] == []
    assert every_view(target) == before
    assert curated_objects(moto_server, bucket) == files  # registered in place, none copied
    names = {t["Name"] for t in glue.get_tables(DatabaseName=database)["TableList"]}
    assert names == set(days)  # no staging table left

    locations = {
        n: glue.get_table(DatabaseName=database, Name=n)["Table"]["Parameters"]["metadata_location"]
        for n in days
    }
    again = run(["spotify-etl", "migrate-tables"], env)
    assert all(f"{n}: nothing to do (already Iceberg)" in again for n in days)
    assert {
        n: glue.get_table(DatabaseName=database, Name=n)["Table"]["Parameters"]["metadata_location"]
        for n in days
    } == locations

"""The cataloger service end to end in-process: queue in, Iceberg commits out, poison to the DLQ."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest
from cataloger.main import main, run
from cataloger.settings import CatalogerSettings
from pyiceberg.catalog.glue import GlueCatalog

from .conftest import Files, parquet_bytes_of, scanned

if TYPE_CHECKING:
    from spotify_etl.local.provision import Provisioned

    from tests.conftest import LocalAws

pytestmark = pytest.mark.integration


async def test_poison_goes_to_the_catalog_dlq_and_good_files_are_catalogued(
    stack: Provisioned,
    aws_env: LocalAws,
    settings: CatalogerSettings,
    catalog: GlueCatalog,
    table_files: Files,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sqs = aws_env.client("sqs")
    queue_url = stack.queue_urls[stack.names.catalog_queue]
    dlq_url = stack.queue_urls[stack.names.dlq(stack.names.catalog_queue)]
    good = table_files.message("albums", "2026-11-24", 1, rows=2)
    sqs.send_message(QueueUrl=queue_url, MessageBody=good.model_dump_json())
    sqs.send_message(QueueUrl=queue_url, MessageBody='{"table": "albums", "rows": -1}')
    monkeypatch.setenv("SPOTIFY_ETL_EXIT_WHEN_IDLE", "1")
    monkeypatch.setenv("SPOTIFY_ETL_WAIT_SECONDS", "1")
    settings = CatalogerSettings()

    stats = await run(settings)

    assert (stats.handled, stats.dead_lettered) == (1, 1)
    dead = sqs.receive_message(QueueUrl=dlq_url, MessageAttributeNames=["All"], WaitTimeSeconds=1)[
        "Messages"
    ]
    assert [m["Body"] for m in dead] == ['{"table": "albums", "rows": -1}']
    reason = dead[0]["MessageAttributes"]["error.reason"]["StringValue"]
    assert reason.startswith("invalid TableFileWritten message")
    rows = scanned(catalog, settings.database, "albums")
    assert rows.select("album_id", "source_key").rows() == [
        ("a0", good.source_key),
        ("a1", good.source_key),
    ]


async def test_a_file_that_is_missing_or_not_parquet_is_poison_and_registers_nothing(
    stack: Provisioned,
    aws_env: LocalAws,
    settings: CatalogerSettings,
    catalog: GlueCatalog,
    table_files: Files,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sqs, s3 = aws_env.client("sqs"), aws_env.client("s3")
    queue_url = stack.queue_urls[stack.names.catalog_queue]
    dlq_url = stack.queue_urls[stack.names.dlq(stack.names.catalog_queue)]
    bucket = stack.names.bucket

    def announce(day: str, name: str, n: int) -> str:
        key = f"curated/albums/dt={day}/{name}.parquet"
        message = {
            "table": "albums",
            "bucket": bucket,
            "key": key,
            "partition": {"dt": day},
            "rows": 2,
            "schema_version": 1,
            "source_key": f"raw/source=albums/album_id=A{n}.json",
        }
        sqs.send_message(QueueUrl=queue_url, MessageBody=json.dumps(message))
        return key

    good = table_files.message("albums", "2026-11-24", 0)
    sqs.send_message(QueueUrl=queue_url, MessageBody=good.model_dump_json())
    announce("2031-01-01", "missing", 1)  # never written
    not_parquet = announce("2031-01-02", "json", 2)
    s3.put_object(Bucket=bucket, Key=not_parquet, Body=b'{"items": []}')
    truncated = announce("2031-01-03", "cut", 3)
    s3.put_object(Bucket=bucket, Key=truncated, Body=parquet_bytes_of()[-40:])
    monkeypatch.setenv("SPOTIFY_ETL_EXIT_WHEN_IDLE", "1")
    monkeypatch.setenv("SPOTIFY_ETL_WAIT_SECONDS", "1")
    monkeypatch.setenv("CATALOGER_PUBLISH_VIEWS", "false")

    stats = await run(CatalogerSettings())

    assert (stats.handled, stats.dead_lettered, stats.retried) == (1, 3, 0)
    dead = sqs.receive_message(
        QueueUrl=dlq_url, MaxNumberOfMessages=10, MessageAttributeNames=["All"], WaitTimeSeconds=1
    )["Messages"]
    reasons = {
        json.loads(m["Body"])["key"]: m["MessageAttributes"]["error.reason"]["StringValue"]
        for m in dead
    }
    uri = f"s3://{bucket}/curated/albums"
    assert reasons["curated/albums/dt=2031-01-01/missing.parquet"].startswith(
        f"{uri}/dt=2031-01-01/missing.parquet does not exist"
    )
    assert "is not a Parquet file (13 bytes, no PAR1 footer)" in reasons[not_parquet]
    assert "is a truncated Parquet file" in reasons[truncated]
    assert all(
        m["MessageAttributes"]["error.type"]["StringValue"] == "PermanentError" for m in dead
    )
    assert scanned(catalog, settings.database, "albums")["source_key"].to_list() == [
        good.source_key
    ]


def test_a_hive_table_stops_the_cataloger_with_one_line_naming_the_migration(
    stack: Provisioned,
    aws_env: LocalAws,
    settings: CatalogerSettings,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    glue = aws_env.client("glue")
    glue.create_database(DatabaseInput={"Name": settings.database})
    glue.create_table(  # the earlier lake's table, as today's Hive code made it
        DatabaseName=settings.database,
        TableInput={
            "Name": "albums",
            "TableType": "EXTERNAL_TABLE",
            "Parameters": {"classification": "parquet", "EXTERNAL": "TRUE"},
            "PartitionKeys": [{"Name": "dt", "Type": "string"}],
            "StorageDescriptor": {"Location": f"s3://{settings.bucket}/curated/albums/"},
        },
    )
    monkeypatch.setenv("CATALOGER_PUBLISH_VIEWS", "false")

    with pytest.raises(SystemExit) as stopped:
        main()

    assert stopped.value.code == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert err[0].startswith(f"cataloger: Glue table {settings.database}.albums is not an Iceberg")
    assert "run `spotify-etl migrate-tables`" in err[0]

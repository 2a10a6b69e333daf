"""The cataloger service end to end in-process: queue in, Glue out, poison to the DLQ."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest
from cataloger.main import run
from cataloger.settings import CatalogerSettings

from .conftest import parquet_bytes

if TYPE_CHECKING:
    from spotify_etl.local.provision import Provisioned

    from tests.conftest import LocalAws

pytestmark = pytest.mark.integration


async def test_poison_goes_to_the_catalog_dlq_and_good_files_are_catalogued(
    stack: Provisioned,
    aws_env: LocalAws,
    settings: CatalogerSettings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sqs = aws_env.client("sqs")
    queue_url = stack.queue_urls[stack.names.catalog_queue]
    dlq_url = stack.queue_urls[stack.names.dlq(stack.names.catalog_queue)]
    good = {
        "table": "albums",
        "bucket": stack.names.bucket,
        "key": "curated/albums/dt=2026-11-24/abc.parquet",
        "partition": {"dt": "2026-11-24"},
        "rows": 2,
        "schema_version": 1,
        "source_key": "raw/source=albums/album_id=A1.json",
    }
    aws_env.client("s3").put_object(
        Bucket=stack.names.bucket, Key=good["key"], Body=parquet_bytes()
    )
    sqs.send_message(QueueUrl=queue_url, MessageBody=json.dumps(good))
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
    glue = aws_env.client("glue")
    partitions = glue.get_partitions(DatabaseName=settings.database, TableName="albums")
    assert [p["Values"] for p in partitions["Partitions"]] == [["2026-11-24"]]


async def test_a_file_that_is_missing_or_not_parquet_is_poison_and_registers_nothing(
    stack: Provisioned,
    aws_env: LocalAws,
    settings: CatalogerSettings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sqs, s3 = aws_env.client("sqs"), aws_env.client("s3")
    queue_url = stack.queue_urls[stack.names.catalog_queue]
    dlq_url = stack.queue_urls[stack.names.dlq(stack.names.catalog_queue)]
    bucket = stack.names.bucket

    def announce(day: str, name: str) -> str:
        key = f"curated/albums/dt={day}/{name}.parquet"
        message = {
            "table": "albums",
            "bucket": bucket,
            "key": key,
            "partition": {"dt": day},
            "rows": 2,
            "schema_version": 1,
            "source_key": "raw/source=albums/album_id=A1.json",
        }
        sqs.send_message(QueueUrl=queue_url, MessageBody=json.dumps(message))
        return key

    good = announce("2026-11-24", "good")
    s3.put_object(Bucket=bucket, Key=good, Body=parquet_bytes())
    announce("2031-01-01", "missing")  # never written
    not_parquet = announce("2031-01-02", "json")
    s3.put_object(Bucket=bucket, Key=not_parquet, Body=b'{"items": []}')
    truncated = announce("2031-01-03", "cut")
    s3.put_object(Bucket=bucket, Key=truncated, Body=parquet_bytes()[-40:])
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
    partitions = aws_env.client("glue").get_partitions(
        DatabaseName=settings.database, TableName="albums"
    )
    assert [p["Values"] for p in partitions["Partitions"]] == [["2026-11-24"]]

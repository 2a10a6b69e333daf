"""The cataloger service end to end in-process: queue in, Glue out, poison to the DLQ."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest
from cataloger.main import run
from cataloger.settings import CatalogerSettings

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

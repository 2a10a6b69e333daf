"""One canonical line per message: the transformer and the cataloger as processes.

For a run of N messages each message id appears on exactly one line of the
service's JSON output (stdout), that line is its ``message.handled``; stdout
holds JSON only, and a clean run prints nothing for people on stderr.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from spotify_etl.local.provision import Provisioned
from spotify_etl_common.keys import playlist_items_key
from spotify_etl_common.messages import RawObjectWritten, Source
from transformer.core import TABLES_OF

from tests.conftest import LocalAws
from tests.unit.transformer.payloads import items_page, playlist_item, track

pytestmark = pytest.mark.e2e
BIN = Path(sys.executable).parent
PAGES = 6


def run_service(name: str, aws: LocalAws, stack: Provisioned) -> list[dict[str, Any]]:
    """Run ``name`` until idle; its stdout as JSON lines (every line must be JSON)."""
    env = {
        **os.environ,
        **aws.env(stack.names),
        "SPOTIFY_ETL_EXIT_WHEN_IDLE": "1",
        "SPOTIFY_ETL_WAIT_SECONDS": "1",
    }
    done = subprocess.run(
        [str(BIN / name)], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, f"{name} exited {done.returncode}:\n{done.stderr[-3000:]}"
    assert done.stderr == "", f"{name} printed for people on a clean run:\n{done.stderr}"
    return [json.loads(line) for line in done.stdout.splitlines()]


def lines_naming(lines: list[dict[str, Any]], message_id: str) -> list[dict[str, Any]]:
    return [line for line in lines if message_id in json.dumps(line)]


def test_each_message_id_is_on_exactly_one_line_of_each_service(
    moto_server: LocalAws, stack: Provisioned
) -> None:
    s3, sqs = moto_server.client("s3"), moto_server.client("sqs")
    sent: list[str] = []
    for n in range(PAGES):
        key = playlist_items_key(f"p{n}", "snapA", 0)
        page = items_page([playlist_item(track(f"t{n}"))], playlist_id=f"p{n}")
        s3.put_object(Bucket=stack.names.bucket, Key=key, Body=page)
        message = RawObjectWritten(
            bucket=stack.names.bucket,
            key=key,
            source=Source.PLAYLIST_ITEMS,
            entity_id=f"p{n}",
            snapshot_id="snapA",
            page=0,
            run_id="run-1",
            extracted_at=datetime(2026, 11, 24, tzinfo=UTC),
        )
        answer = sqs.send_message(
            QueueUrl=stack.queue_urls[stack.names.transform_queue],
            MessageBody=message.model_dump_json(),
        )
        sent.append(answer["MessageId"])

    transformer = run_service("transformer", moto_server, stack)
    handled = [line for line in transformer if line["event"] == "message.handled"]
    assert sorted(line["message_id"] for line in handled) == sorted(sent)
    for message_id in sent:
        [line] = lines_naming(transformer, message_id)
        assert line["event"] == "message.handled"
        assert line["outcome"] == "handled"
        assert line["RowsWritten"] == sum(line["rows"].values())  # the figures are on it
    files = sum(line["files"] for line in handled)
    # a file per table the source yields, empty ones included (a replay overwrites them)
    assert files == PAGES * len(TABLES_OF[Source.PLAYLIST_ITEMS])

    cataloger = run_service("cataloger", moto_server, stack)
    handled = [line for line in cataloger if line["event"] == "message.handled"]
    ids = [line["message_id"] for line in handled]
    assert len(ids) == len(set(ids)) == files
    assert all(line["outcome"] == "handled" for line in handled)
    for message_id in ids:
        assert len(lines_naming(cataloger, message_id)) == 1
    batches = [line for line in cataloger if line["event"] == "batch.handled"]
    assert sum(b["messages"] for b in batches) == files  # each batch's summary once
    assert {line["batch"] for line in handled} == {b["batch"] for b in batches}

"""The transformer service against a real moto server: raw object in, Parquet and messages out."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from typing import Any

import polars as pl
import pytest
from spotify_etl.local.provision import Provisioned
from spotify_etl_common.keys import CURATED_PREFIX, parse_curated_key, playlist_items_key
from spotify_etl_common.messages import RawObjectWritten, Source, TableFileWritten
from spotify_etl_common.settings import load_settings
from transformer.service import run_service
from transformer.settings import TransformerSettings

from tests.conftest import LocalAws
from tests.unit.transformer.payloads import episode, items_page, playlist_item, track

pytestmark = pytest.mark.integration
EXTRACTED_AT = datetime(2026, 11, 24, 1, 0, tzinfo=UTC)


@pytest.fixture
def settings(stack: Provisioned, monkeypatch: pytest.MonkeyPatch) -> TransformerSettings:
    monkeypatch.setenv("SPOTIFY_ETL_EXIT_WHEN_IDLE", "1")
    monkeypatch.setenv("SPOTIFY_ETL_WAIT_SECONDS", "1")
    return load_settings(TransformerSettings)


def put_raw(aws: LocalAws, stack: Provisioned, key: str, body: bytes) -> None:
    aws.client("s3").put_object(Bucket=stack.names.bucket, Key=key, Body=body)


def send(aws: LocalAws, stack: Provisioned, key: str, **fields: Any) -> None:
    message = RawObjectWritten(
        bucket=stack.names.bucket,
        key=key,
        source=fields.pop("source", Source.PLAYLIST_ITEMS),
        entity_id="p1",
        snapshot_id="snapA",
        page=0,
        run_id="run-1",
        extracted_at=EXTRACTED_AT,
        **fields,
    )
    aws.client("sqs").send_message(
        QueueUrl=stack.queue_urls[stack.names.transform_queue],
        MessageBody=message.model_dump_json(),
    )


def drain(aws: LocalAws, url: str) -> list[dict[str, Any]]:
    sqs = aws.client("sqs")
    found: list[dict[str, Any]] = []
    while True:
        answer = sqs.receive_message(
            QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0, MessageAttributeNames=["All"]
        )
        batch = answer.get("Messages", [])
        if not batch:
            return found
        found.extend(batch)
        for message in batch:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])


def curated_keys(aws: LocalAws, stack: Provisioned) -> list[str]:
    listing = aws.client("s3").list_objects_v2(Bucket=stack.names.bucket, Prefix=CURATED_PREFIX)
    return sorted(o["Key"] for o in listing.get("Contents", []))


def dlq_url(stack: Provisioned, queue: str) -> str:
    return stack.queue_urls[stack.names.dlq(queue)]


async def test_a_raw_page_becomes_parquet_files_and_catalog_messages(
    aws_env: LocalAws, stack: Provisioned, settings: TransformerSettings
) -> None:
    key = playlist_items_key("p1", "snapA", 0)
    put_raw(aws_env, stack, key, items_page([playlist_item(track("t1")), playlist_item(episode())]))
    send(aws_env, stack, key)

    await run_service(settings)

    keys = curated_keys(aws_env, stack)
    assert [k.split("/")[1:3] for k in keys] == sorted(
        [t, "dt=2026-11-24"]
        for t in (
            "albums",
            "artists",
            "episodes",
            "playlist_items",
            "shows",
            "track_artists",
            "tracks",
        )
    )
    catalog = drain(aws_env, stack.queue_urls[stack.names.catalog_queue])
    messages = [TableFileWritten.model_validate_json(m["Body"]) for m in catalog]
    assert sorted(m.key for m in messages) == keys
    assert {m.table: m.rows for m in messages} == {
        "playlist_items": 2,
        "tracks": 1,
        "albums": 1,
        "artists": 1,
        "track_artists": 1,
        "episodes": 1,  # the episode item, and the show it carries
        "shows": 1,
    }
    items_key = next(k for k in keys if k.startswith("curated/playlist_items/"))
    written = aws_env.client("s3").get_object(Bucket=stack.names.bucket, Key=items_key)
    assert written["Metadata"] == {"source-key": key}  # lineage a catalog replay reads back
    body = written["Body"].read()
    items = pl.read_parquet(io.BytesIO(body))
    assert items.select("playlist_id", "snapshot_id", "item_type").rows() == [
        ("p1", "snapA", "track"),
        ("p1", "snapA", "episode"),
    ]
    raw_after = aws_env.client("s3").list_objects_v2(Bucket=stack.names.bucket, Prefix="raw/")
    assert [o["Key"] for o in raw_after["Contents"]] == [key]


async def test_a_replayed_message_leaves_the_same_set_of_keys(
    aws_env: LocalAws, stack: Provisioned, settings: TransformerSettings
) -> None:
    key = playlist_items_key("p1", "snapA", 0)
    put_raw(aws_env, stack, key, items_page([playlist_item(track("t1"))]))
    send(aws_env, stack, key)
    await run_service(settings)
    first = curated_keys(aws_env, stack)

    send(aws_env, stack, key)
    send(aws_env, stack, key)
    await run_service(settings)

    assert curated_keys(aws_env, stack) == first
    assert len(drain(aws_env, stack.queue_urls[stack.names.catalog_queue])) == 3 * len(first)


async def test_a_replay_that_now_gives_other_rows_writes_new_keys_beside_the_old_files(
    aws_env: LocalAws, stack: Provisioned, settings: TransformerSettings
) -> None:
    key = playlist_items_key("p1", "snapA", 0)
    put_raw(aws_env, stack, key, items_page([playlist_item(track("t1"))]))
    send(aws_env, stack, key)
    await run_service(settings)
    first = set(curated_keys(aws_env, stack))
    # the same raw key now transforms to other rows (as after a fix to the transform)
    put_raw(aws_env, stack, key, items_page([playlist_item(track("t2"))]))
    send(aws_env, stack, key)

    await run_service(settings)

    now = set(curated_keys(aws_env, stack))
    new = now - first
    assert first < now  # a file an Iceberg snapshot may reference is never overwritten
    assert {k.split("/")[1] for k in new} == {
        "playlist_items",
        "tracks",
        "track_artists",
    }  # albums and artists rows are the same bytes: the same keys
    assert {parse_curated_key(k) for k in new} <= {parse_curated_key(k) for k in first}


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (
            b'{"href": "https://api.spotify.com/v1/playlists/p1/tracks", "items": [',
            "raw object is truncated",
        ),
        (
            json.dumps(
                {"href": "https://api.spotify.com/v1/audiobooks/x", "type": "audiobook"}
            ).encode(),
            "unknown shape",
        ),
        (None, "does not exist"),
    ],
    ids=["malformed", "unknown-shape", "missing-object"],
)
async def test_a_bad_object_goes_to_the_dlq_with_a_reason_naming_the_key(
    aws_env: LocalAws,
    stack: Provisioned,
    settings: TransformerSettings,
    body: bytes | None,
    problem: str,
) -> None:
    key = playlist_items_key("p1", "snapA", 7)
    if body is not None:
        put_raw(aws_env, stack, key, body)
    send(aws_env, stack, key)

    await run_service(settings)

    dead = drain(aws_env, dlq_url(stack, stack.names.transform_queue))
    assert len(dead) == 1
    reason = dead[0]["MessageAttributes"]["error.reason"]["StringValue"]
    assert key in reason
    assert problem in reason
    assert curated_keys(aws_env, stack) == []
    assert drain(aws_env, stack.queue_urls[stack.names.catalog_queue]) == []


async def test_a_raw_object_over_the_size_cap_is_dead_lettered_unread_with_its_reason(
    aws_env: LocalAws,
    stack: Provisioned,
    settings: TransformerSettings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    key = playlist_items_key("p1", "snapA", 0)
    body = items_page([playlist_item(track("t1"))])
    put_raw(aws_env, stack, key, body)
    send(aws_env, stack, key)
    monkeypatch.setenv("TRANSFORMER_MAX_RAW_BYTES", str(len(body) - 1))

    await run_service(load_settings(TransformerSettings))

    [dead] = drain(aws_env, dlq_url(stack, stack.names.transform_queue))
    assert dead["MessageAttributes"]["error.reason"]["StringValue"] == (
        f"s3://{stack.names.bucket}/{key} is {len(body):,} bytes, over the limit of "
        f"{len(body) - 1:,} (TRANSFORMER_MAX_RAW_BYTES): not read; raise the limit and "
        "redrive, or drop the message"
    )
    assert curated_keys(aws_env, stack) == []


async def test_when_a_file_cannot_be_written_no_message_is_posted(
    aws_env: LocalAws, stack: Provisioned, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = playlist_items_key("p1", "snapA", 0)
    put_raw(aws_env, stack, key, items_page([playlist_item(track("t1"))]))
    send(aws_env, stack, key)
    monkeypatch.setenv("SPOTIFY_ETL_EXIT_WHEN_IDLE", "1")
    monkeypatch.setenv("SPOTIFY_ETL_WAIT_SECONDS", "1")
    monkeypatch.setenv("SPOTIFY_ETL_BUCKET", "curated-bucket-that-does-not-exist")

    await run_service(load_settings(TransformerSettings))

    assert drain(aws_env, stack.queue_urls[stack.names.catalog_queue]) == []
    dead = drain(aws_env, dlq_url(stack, stack.names.transform_queue))
    assert "NoSuchBucket" in dead[0]["MessageAttributes"]["error.reason"]["StringValue"]


async def test_a_message_that_fails_validation_goes_to_the_dlq(
    aws_env: LocalAws, stack: Provisioned, settings: TransformerSettings
) -> None:
    aws_env.client("sqs").send_message(
        QueueUrl=stack.queue_urls[stack.names.transform_queue],
        MessageBody=json.dumps({"version": 1, "bucket": stack.names.bucket, "source": "podcasts"}),
    )

    await run_service(settings)

    dead = drain(aws_env, dlq_url(stack, stack.names.transform_queue))
    reason = dead[0]["MessageAttributes"]["error.reason"]["StringValue"]
    assert "invalid RawObjectWritten" in reason
    assert "key" in reason
    assert curated_keys(aws_env, stack) == []

"""Importing Spotify's data export end to end: the CLI, the transformer and the cataloger as
processes on a moto server.

A generated download (the older endsong format, plus the account data of its last
weeks, and recently played pages that overlap its end) is imported, imported
again, then a later cumulative download in the current format (the whole
history again, split into other files): after each,
``distinct_plays`` holds exactly the plays of the downloads so far, with their
exact total ``ms_played``, and no object in the bucket holds an IP address, a
user agent or the user name.
"""

from __future__ import annotations

import io
import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest
from fake_spotify.history_export import (
    USERNAME,
    Play,
    account_download,
    extended_download,
    listening,
)
from spotify_etl.cli import build_parser
from spotify_etl.local.provision import Provisioned
from spotify_etl_common.keys import recently_played_key
from spotify_etl_common.messages import raw_message

from tests.conftest import LocalAws
from tests.e2e.test_pipeline import query, run_workers

pytestmark = pytest.mark.e2e
FIRST_CUT = datetime(2019, 3, 10, tzinfo=UTC)
MS_FROM = datetime(2019, 2, 15, tzinfo=UTC)


def import_and_transform(
    paths: list[Path], env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> str:
    """Import (the CLI in this process: its environment is the stack's), then run the
    transformer and the cataloger until their queues are empty (the counts are read from
    the Iceberg tables it commits)."""
    args = build_parser().parse_args(["import-history", *map(str, paths), "--max-plays", "100"])
    assert args.run(args) == 0
    out = capsys.readouterr()
    run_workers(env)
    return out.out + out.err


def object_keys(aws: LocalAws, bucket: str, prefix: str = "") -> list[str]:
    pages = aws.client("s3").get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
    return [o["Key"] for page in pages for o in page.get("Contents", [])]


def objects(aws: LocalAws, bucket: str) -> dict[str, bytes]:
    s3 = aws.client("s3")
    return {k: s3.get_object(Bucket=bucket, Key=k)["Body"].read() for k in object_keys(aws, bucket)}


def texts(key: str, body: bytes) -> str:
    """Everything an object holds, as text: Parquet decoded, anything else as bytes."""
    if key.endswith(".parquet"):
        frame = pl.read_parquet(io.BytesIO(body))
        return frame.select(pl.all().cast(pl.String)).write_csv()
    return body.decode("utf-8", errors="replace")


def assert_nothing_identifying(aws: LocalAws, bucket: str, plays: list[Play]) -> None:
    secrets = {p.ip_addr for p in plays} | {USERNAME}
    secrets |= {p.user_agent for p in plays if p.user_agent != "unknown"}
    found = objects(aws, bucket)
    assert any(k.endswith(".parquet") for k in found)
    for key, body in found.items():
        text = texts(key, body)
        leaked = sorted(s for s in secrets if s in text)
        assert not leaked, f"{key} holds {leaked[:3]}"
        for field in ("ip_addr", "user_agent", "username"):
            assert field not in text, f"{key} names {field}"


def assert_distinct_plays(
    aws: LocalAws, bucket: str, expected: list[Play], recent_only: int = 0
) -> None:
    """``distinct_plays`` holds the ``expected`` export plays (with their ms_played) and
    ``recent_only`` plays that only recently played knows (ms_played unknown)."""
    [(count, total, recent)] = query(
        aws,
        bucket,
        "SELECT count(*), sum(ms_played), count(*) FILTER (WHERE origin = 'recently_played') "
        "FROM distinct_plays",
    )
    assert (count, total) == (len(expected) + recent_only, sum(p.ms_played for p in expected))
    assert recent == recent_only


def recently_played(aws: LocalAws, stack: Provisioned, plays: list[Play]) -> None:
    """Store a recently played page of ``plays`` (as the extractor would: end times to the
    millisecond, a couple of seconds off the export's) and queue its message."""
    items = [
        {
            "track": {"id": p.track_id, "type": "track", "name": p.track_name, "artists": []},
            "played_at": (p.ts + timedelta(milliseconds=2_500)).isoformat(timespec="milliseconds"),
            "context": {"type": "playlist", "uri": "spotify:playlist:P1"},
        }
        for p in plays
    ]
    after = int(plays[0].ts.timestamp() * 1000) - 1
    page = {"href": "https://api.spotify.com/v1/me/player/recently-played", "items": items}
    key = recently_played_key(after)
    bucket = stack.names.bucket
    aws.client("s3").put_object(Bucket=bucket, Key=key, Body=json.dumps(page).encode())
    message = raw_message(bucket, key, plays[-1].ts + timedelta(minutes=5), "e2e")
    aws.client("sqs").send_message(
        QueueUrl=stack.queue_urls[stack.names.transform_queue],
        MessageBody=message.model_dump_json(),
    )


def raw_keys(aws: LocalAws, bucket: str) -> set[str]:
    return set(object_keys(aws, bucket, "raw/"))


def test_import_reimport_and_a_later_download_count_each_play_once(
    moto_server: LocalAws, stack: Provisioned, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    env = {
        **os.environ,
        **moto_server.env(stack.names),
        "SPOTIFY_ETL_EXIT_WHEN_IDLE": "2",
        "SPOTIFY_ETL_WAIT_SECONDS": "1",
    }
    bucket = stack.names.bucket
    # ~3 months, 2019-01 to 2019-04; offline_timestamp in seconds, then in ms from mid-February
    history = listening(900, seed=11, mean_gap_s=8000, ms_from=MS_FROM)
    assert {p.offline_timestamp > 10**11 for p in history if p.offline_timestamp} == {
        True,
        False,
    }
    first = [p for p in history if p.ts < FIRST_CUT]
    assert 0 < len(first) < len(history)
    old = extended_download(first, tmp_path / "my_spotify_data.zip", "endsong", per_file=240)
    (tmp_path / "account").mkdir()
    account = account_download(first[-150:], tmp_path / "account" / "my_spotify_data.zip")

    # recently played overlaps the download's last plays and goes past its end
    tracks = [p for p in history if p.track_id and p.ms_played >= 30_000]
    before = [p for p in tracks if p.ts < FIRST_CUT][-8:]
    past = [p for p in tracks if p.ts >= FIRST_CUT][:5]
    recently_played(moto_server, stack, before + past)

    out = import_and_transform([old, account], env, capsys)
    assert "7 other files ignored" in out  # a PDF, and six other files of the account data
    assert_distinct_plays(moto_server, bucket, first, recent_only=len(past))
    assert_nothing_identifying(moto_server, bucket, history)
    keys = raw_keys(moto_server, bucket)

    import_and_transform([old, account], env, capsys)
    assert raw_keys(moto_server, bucket) == keys
    assert_distinct_plays(moto_server, bucket, first, recent_only=len(past))

    later = extended_download(history, tmp_path / "later.zip", "audio", per_file=310)
    import_and_transform([later], env, capsys)
    assert_distinct_plays(moto_server, bucket, history)
    assert_nothing_identifying(moto_server, bucket, history)
    [(with_context,)] = query(
        moto_server,
        bucket,
        "SELECT count(*) FROM distinct_plays WHERE origin = 'export' AND context_type IS NOT NULL",
    )
    assert with_context == len(before) + len(past)  # the export's rows, recently played's context
    [(zero, untracked)] = query(
        moto_server,
        bucket,
        "SELECT count(*) FILTER (WHERE ms_played = 0), count(*) FILTER (WHERE track_id IS NULL) "
        "FROM distinct_plays",
    )
    assert zero == sum(p.ms_played == 0 for p in history)
    assert untracked == sum(p.track_id is None for p in history)
    [(offline_times,)] = query(
        moto_server,
        bucket,
        "SELECT count(*) FROM distinct_plays "
        "WHERE offline_at BETWEEN played_at - INTERVAL 1 HOUR AND played_at",
    )
    assert offline_times == sum(p.offline_timestamp is not None for p in history)

    glue = moto_server.client("glue").get_table(
        DatabaseName=env["CATALOGER_DATABASE"], Name="plays"
    )
    columns = [c["Name"] for c in glue["Table"]["StorageDescriptor"]["Columns"]]
    assert {"ms_played", "offline_at", "origin", "track_name"} <= set(columns)

"""The three services as separate processes against a moto server and the fake Spotify.

Checks the views against what the fake served, that replaying the raw objects
twice changes nothing, and that a poison message lands in the transform DLQ
while the rest flows.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fake_spotify.catalog import Catalog, CatalogSpec, build_catalog
from fake_spotify.server import FakeConfig, FakeSpotify
from spotify_etl.local.provision import Provisioned
from spotify_etl.query.local_engine import connect_lake, run_query
from spotify_etl.query.target import LocalTarget
from spotify_etl_common.tables import TABLES
from spotify_etl_views import load_views

from tests.conftest import LocalAws, fake_spotify_env, stack_database

pytestmark = pytest.mark.e2e
BIN = Path(sys.executable).parent


@pytest.fixture
def fake() -> Iterator[FakeSpotify]:
    server = FakeSpotify(build_catalog(CatalogSpec(playlists=3, items=80, plays=40)), FakeConfig())
    server.start()
    yield server
    server.stop()


def service_env(aws: LocalAws, stack: Provisioned, fake: FakeSpotify) -> dict[str, str]:
    return {
        **os.environ,
        **aws.env(stack.names),
        **fake_spotify_env(fake),
        "EXTRACTOR_MAX_ENTITIES": "0",
        "SPOTIFY_ETL_EXIT_WHEN_IDLE": "2",
        "SPOTIFY_ETL_WAIT_SECONDS": "1",
    }


def run(argv: list[str], env: dict[str, str], timeout: float = 180) -> str:
    """Run one service process to completion; its output on failure."""
    done = subprocess.run(
        [str(BIN / argv[0]), *argv[1:]],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, f"{argv} exited {done.returncode}:\n{done.stderr[-3000:]}"
    return done.stdout + done.stderr


def run_workers(env: dict[str, str]) -> None:
    run(["transformer"], env)
    run(["cataloger"], env)


def query(aws: LocalAws, bucket: str, sql: str) -> list[tuple[object, ...]]:
    """``sql`` over the stack's lake (its own Glue database) and the views."""
    target = LocalTarget(aws.endpoint, bucket, "testing", "testing", "e2e", stack_database(bucket))
    with connect_lake(target, TABLES, load_views()) as con:
        return list(run_query(con, sql).rows)


def served(catalog: Catalog) -> dict[str, set[str]]:
    """Ids the fake served for the owned playlists and the listening history."""
    own = [catalog.playlists[p] for p in catalog.own_playlist_ids]
    tracks = {e.ref for p in own for e in p.entries if e.kind == "track" and e.ref}
    tracks |= {p.track_id for p in catalog.plays}
    albums = {catalog.tracks[t].album_id for t in tracks}
    artists = {a for t in tracks for a in catalog.tracks[t].artist_ids}
    artists |= {a for al in albums for a in catalog.albums[al].artist_ids}
    return {"tracks": tracks, "albums": albums, "artists": artists}


def curated_keys(aws: LocalAws, bucket: str) -> dict[str, str]:
    """The transformer's files (each commit adds Iceberg metadata files beside them)."""
    s3 = aws.client("s3")
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix="curated/")
    return {
        o["Key"]: o["ETag"]
        for page in pages
        for o in page.get("Contents", [])
        if o["Key"].endswith(".parquet")
    }


def test_pipeline_processes_views_replay_and_poison(
    moto_server: LocalAws, stack: Provisioned, fake: FakeSpotify
) -> None:
    env = service_env(moto_server, stack, fake)
    bucket = stack.names.bucket
    sqs = moto_server.client("sqs")
    transform_url = stack.queue_urls[stack.names.transform_queue]
    sqs.send_message(QueueUrl=transform_url, MessageBody='{"version": 1, "key": "no bucket"')

    run(["extractor", "run-once"], env)
    run_workers(env)

    expected = served(fake.catalog)
    songs = query(moto_server, bucket, "SELECT song_id, artist_id, url FROM songs")
    assert {s[0] for s in songs} == expected["tracks"]
    assert len(songs) == len(expected["tracks"])  # one row per song
    assert all(str(s[2]).startswith("https://open.spotify.com/track/") for s in songs)
    first_artists = {s[0]: s[1] for s in songs}
    assert all(first_artists[t] == fake.catalog.tracks[t].artist_ids[0] for t in expected["tracks"])
    albums = query(moto_server, bucket, "SELECT album_id FROM album")
    assert sorted(a[0] for a in albums) == sorted(expected["albums"])
    artists = query(moto_server, bucket, "SELECT artist_id FROM artist")
    assert sorted(a[0] for a in artists) == sorted(expected["artists"])
    own_items = sum(len(fake.catalog.playlists[p].entries) for p in fake.catalog.own_playlist_ids)
    counts_sql = (
        "SELECT (SELECT count(*) FROM playlist_items), (SELECT count(*) FROM plays), "
        "(SELECT count(*) FROM tracks), (SELECT count(*) FROM track_artists)"
    )
    [counts] = query(moto_server, bucket, counts_sql)
    assert counts[:2] == (own_items, len(fake.catalog.plays))

    # the poison message is in the transform DLQ with its reason; nothing else is
    dlq_url = stack.queue_urls[stack.names.dlq(stack.names.transform_queue)]
    dead = sqs.receive_message(
        QueueUrl=dlq_url, MaxNumberOfMessages=10, WaitTimeSeconds=1, MessageAttributeNames=["All"]
    ).get("Messages", [])
    assert [m["Body"] for m in dead] == ['{"version": 1, "key": "no bucket"']
    assert (
        "invalid RawObjectWritten message"
        in (dead[0]["MessageAttributes"]["error.reason"]["StringValue"])
    )
    catalog_dlq = stack.queue_urls[stack.names.dlq(stack.names.catalog_queue)]
    assert "Messages" not in sqs.receive_message(QueueUrl=catalog_dlq, WaitTimeSeconds=0)

    # replay every raw object twice: same files, same rows, no duplicates
    before = curated_keys(moto_server, bucket)
    for _ in range(2):
        run(["spotify-etl", "replay", "--stage", "transform"], env)
    run_workers(env)
    assert curated_keys(moto_server, bucket).keys() == before.keys()
    [again] = query(moto_server, bucket, counts_sql)
    assert again == counts
    [distinct] = query(
        moto_server,
        bucket,
        "SELECT count(*), count(DISTINCT song_id) FROM songs",
    )
    assert distinct == (len(expected["tracks"]), len(expected["tracks"]))

"""Replaying a range twice through the real transformer leaves the curated tables unchanged.

The transformer's queue worker runs in-process (``exit_when_idle``) over the
messages ``spotify-etl replay`` enqueued; after the second replay the curated
objects have the same keys, ETags, bytes and row counts as after the first, and
the cataloger is told about the same files again.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
from collections import Counter
from typing import Any

import polars as pl
import pytest
from spotify_etl_common.keys import CURATED_PREFIX, playlist_items_key
from spotify_etl_common.messages import TableFileWritten
from spotify_etl_common.settings import load_settings
from transformer.service import run_service
from transformer.settings import TransformerSettings

from tests.unit.transformer.payloads import (
    artist,
    episode,
    items_page,
    local_track,
    playlist_item,
    track,
)

from .conftest import Ops, run_cli

pytestmark = pytest.mark.integration


def pages() -> dict[str, bytes]:
    """Three raw pages of two playlists: several artists, an episode, a local file, a gap."""
    duo = [artist("art1", "Royal Blood"), artist("art2", "Guest")]
    first = [
        playlist_item(track("t1")),
        playlist_item(track("t2", artists=duo)),
        playlist_item(episode()),
        playlist_item(local_track()),
        playlist_item(None),
    ]
    return {
        playlist_items_key("p1", "s1", 0): items_page(first, playlist_id="p1"),
        playlist_items_key("p1", "s1", 1): items_page(
            [playlist_item(track("t3")), playlist_item(track("t1"))], offset=100, playlist_id="p1"
        ),
        playlist_items_key("p2", "s9", 0): items_page(
            [playlist_item(track("t4", popularity=None), new_shape=True)],
            endpoint="items",
            playlist_id="p2",
        ),
    }


def snapshot(ops: Ops) -> dict[str, tuple[str, str, int]]:
    """Every curated object: key -> (ETag, sha256 of the bytes, rows)."""
    found: dict[str, tuple[str, str, int]] = {}
    listing = ops.s3.list_objects_v2(Bucket=ops.bucket, Prefix=CURATED_PREFIX)
    for item in listing.get("Contents", []):
        data = ops.s3.get_object(Bucket=ops.bucket, Key=item["Key"])["Body"].read()
        rows = pl.read_parquet(io.BytesIO(data)).height
        found[item["Key"]] = (item["ETag"], hashlib.sha256(data).hexdigest(), rows)
    return found


def announced(ops: Ops) -> Counter[tuple[Any, ...]]:
    """The TableFileWritten messages the transformer sent, without their send time."""
    messages = [TableFileWritten.model_validate(b) for b in ops.bodies(ops.url("catalog"))]
    return Counter((m.table, m.key, m.rows, m.source_key) for m in messages)


def replay_and_transform(ops: Ops) -> None:
    assert run_cli("replay", "--stage", "transform", "--source", "playlist_items") == 0
    settings = load_settings(TransformerSettings)
    stats = asyncio.run(run_service(settings))
    assert (stats.handled, stats.dead_lettered) == (3, 0)


def test_replaying_twice_leaves_the_curated_tables_exactly_as_once(
    ops: Ops, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SPOTIFY_ETL_EXIT_WHEN_IDLE", "1")
    monkeypatch.setenv("SPOTIFY_ETL_WAIT_SECONDS", "1")
    for key, body in pages().items():
        ops.put(key, body)

    replay_and_transform(ops)
    once, told_once = snapshot(ops), announced(ops)
    replay_and_transform(ops)
    twice, told_twice = snapshot(ops), announced(ops)

    assert once
    assert twice == once
    assert told_twice == told_once
    assert set(told_once.values()) == {1}
    rows = Counter[str]()
    for key, (_, _, count) in once.items():
        rows[key.split("/")[1]] += count
    assert rows["playlist_items"] == 8
    assert rows["track_artists"] >= 5

"""What a run left behind: curated rows against the expected counts, and the workers' lines."""

from __future__ import annotations

import io
import json
from collections.abc import Iterable
from pathlib import Path

import polars as pl

from bench.corpus import Expected
from bench.load.parallel import parallel
from bench.load.servers import Stack

NATURAL_KEYS = {
    "playlist_items": ["playlist_id", "snapshot_id", "position"],
    "tracks": ["source_key", "track_id"],
    "albums": ["source_key", "album_id"],
    "artists": ["source_key", "artist_id"],
    "track_artists": ["source_key", "track_id", "position"],
    "episodes": ["source_key", "episode_id"],
    "shows": ["source_key", "show_id"],
}


def read_table(stack: Stack, bucket: str, table: str) -> pl.DataFrame:
    s3 = stack.client("s3")
    keys = [
        o["Key"]
        for page in s3.get_paginator("list_objects_v2").paginate(
            Bucket=bucket, Prefix=f"curated/{table}/"
        )
        for o in page.get("Contents", [])
    ]
    frames = parallel(
        lambda key: pl.read_parquet(
            io.BytesIO(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
        ),
        keys,
    )
    return pl.concat(frames) if frames else pl.DataFrame()


def check_tables(stack: Stack, bucket: str, expected: Expected) -> tuple[dict[str, str], int]:
    check: dict[str, str] = {}
    total = 0
    for table, natural in NATURAL_KEYS.items():
        frame = read_table(stack, bucket, table)
        total += frame.height
        unique = frame.select(natural).unique().height if frame.height else 0
        want = expected.rows[table]
        if frame.height != unique:
            check[table] = f"{frame.height - unique} duplicate rows"
        elif frame.height != want:
            check[table] = f"{frame.height} rows, expected {want}"
        else:
            check[table] = "ok"
    return check, total


def handled_counts(logs: Iterable[Path]) -> tuple[int, int]:
    """Handled messages and redelivered ones, from the workers' JSON summary lines."""
    handled = redelivered = 0
    for path in logs:
        for line in path.read_text(errors="replace").splitlines():
            if '"message.handled"' not in line:
                continue
            event = json.loads(line)
            if event.get("outcome") == "handled":
                handled += 1
                redelivered += int(event.get("receive_count", 1)) > 1
    return handled, redelivered

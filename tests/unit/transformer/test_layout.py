"""Curated files: one per table per raw object, at keys of the input and the file's bytes."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import polars as pl
from spotify_etl_common.keys import batch_name, curated_key, parse_curated_key
from spotify_etl_common.messages import TableFileWritten
from transformer.core import transform
from transformer.handler import table_file_message
from transformer.layout import encode, parquet_bytes, plan_batch_files, plan_files

from tests.unit.transformer.payloads import (
    EXTRACTED_AT,
    episode,
    items_page,
    playlist_item,
    raw,
    track,
)

KEY = "raw/source=playlist_items/playlist_id=p/snapshot_id=s/page=0000.json"


def test_each_table_of_the_source_gets_one_file_even_when_empty() -> None:
    result = transform([raw(items_page([playlist_item(episode())]), key=KEY)])
    files = plan_files(result, {KEY: EXTRACTED_AT})
    assert {f.table: f.frame.height for f in files} == {
        "playlist_items": 1,
        "tracks": 0,
        "albums": 0,
        "artists": 0,
        "track_artists": 0,
        "episodes": 1,
        "shows": 1,
    }
    encoded = [encode(f) for f in files]
    assert [f.key for f in encoded] == [
        curated_key(f.table, EXTRACTED_AT.date(), KEY, f.data) for f in encoded
    ]


def test_keys_are_the_same_on_a_replay_and_split_by_raw_object() -> None:
    other = KEY.replace("page=0000", "page=0001")
    objects = [raw(items_page([playlist_item(track("t1"))]), key=k) for k in (KEY, other)]
    when = {KEY: EXTRACTED_AT, other: EXTRACTED_AT}
    planned = plan_files(transform(objects), when)
    first = [encode(f) for f in planned]
    again = [encode(f) for f in plan_files(transform(objects), when)]
    assert [f.key for f in first] == [f.key for f in again]
    assert [f.data for f in first] == [f.data for f in again]
    assert len({f.key for f in first}) == 2 * 7  # two objects, 7 tables each
    assert all(set(f.frame["source_key"]) <= {f.source_key} for f in planned)
    assert sum(f.rows > 0 for f in first) == 2 * 5  # no episodes: those files are empty


def test_a_replay_that_gives_other_rows_writes_another_key_of_the_same_object() -> None:
    when = {KEY: EXTRACTED_AT}
    before = [
        encode(f)
        for f in plan_files(
            transform([raw(items_page([playlist_item(track("t1"))]), key=KEY)]), when
        )
    ]
    after = [
        encode(f)
        for f in plan_files(
            transform([raw(items_page([playlist_item(track("t2"))]), key=KEY)]), when
        )
    ]

    old = next(f.key for f in before if f.table == "tracks")
    new = next(f.key for f in after if f.table == "tracks")
    assert old != new
    assert parse_curated_key(old) == parse_curated_key(new)


def test_the_partition_is_the_utc_day_of_extraction() -> None:
    late = datetime(2026, 11, 24, 23, 30, tzinfo=UTC).astimezone()
    files = plan_files(transform([raw(items_page([]), key=KEY)]), {KEY: late})
    assert {encode(f).partition["dt"] for f in files} == {"2026-11-24"}


def test_a_batch_gets_one_file_per_table_and_day_of_extraction() -> None:
    first = raw(items_page([playlist_item(track("t1"))]), key=KEY)
    second = replace(
        raw(items_page([playlist_item(track("t2"))]), key=KEY.replace("0000", "0001")),
        extracted_at=EXTRACTED_AT + timedelta(days=1),
    )
    one_day = plan_batch_files(transform([first]))
    two_days = plan_batch_files(transform([first, second]))
    assert [encode(f).key.split("/")[2] for f in one_day if f.table == "tracks"] == [
        "dt=2026-11-24"
    ]
    tracks = {encode(f).key.split("/")[2]: f.frame for f in two_days if f.table == "tracks"}
    assert {day: frame["track_id"].to_list() for day, frame in tracks.items()} == {
        "dt=2026-11-24": ["t1"],
        "dt=2026-11-25": ["t2"],
    }
    names = {encode(f).key.rsplit("/", 1)[1] for f in two_days}
    assert all(name.startswith(f"{batch_name([first.key, second.key])}-") for name in names)
    assert all(
        f.frame.columns == one_day[0].frame.columns for f in two_days if f.table == one_day[0].table
    )


def test_a_batch_of_several_users_gets_one_file_per_user_and_shared_dimensions_one() -> None:
    """An Iceberg data file lies in one partition, and user-scoped tables are partitioned
    by user: two users' rows in one file could not be registered."""
    alice = KEY.replace("source=playlist_items/", "source=playlist_items/user=alice/")
    bob = KEY.replace("source=playlist_items/", "source=playlist_items/user=bob/")
    files = plan_batch_files(
        transform(
            [
                raw(items_page([playlist_item(track("t1"))]), key=alice, user_id="alice"),
                raw(items_page([playlist_item(track("t2"))]), key=bob, user_id="bob"),
            ]
        )
    )
    items = sorted(
        (f.frame["user_id"].to_list(), f.frame["track_id"].to_list())
        for f in files
        if f.table == "playlist_items"
    )
    assert items == [(["alice"], ["t1"]), (["bob"], ["t2"])]
    assert [sorted(f.frame["track_id"]) for f in files if f.table == "tracks"] == [["t1", "t2"]]
    assert all("_user" not in f.frame.columns and "_dt" not in f.frame.columns for f in files)


def test_parquet_bytes_round_trip_with_types() -> None:
    frame = transform([raw(items_page([playlist_item(track())]), key=KEY)]).tables["tracks"]
    assert pl.read_parquet(io.BytesIO(parquet_bytes(frame))).equals(frame)


def test_the_same_rows_give_the_same_bytes_even_from_a_frame_built_again() -> None:
    page = items_page([playlist_item(track(f"t{n}")) for n in range(50)])
    frame = transform([raw(page, key=KEY)]).tables["tracks"]
    rebuilt = pl.DataFrame(frame.to_dicts(), schema=frame.schema)

    assert parquet_bytes(frame) == parquet_bytes(rebuilt)


def test_table_file_message_describes_the_file() -> None:
    files = plan_files(
        transform([raw(items_page([playlist_item(track())]), key=KEY)]), {KEY: EXTRACTED_AT}
    )
    tracks = encode(next(f for f in files if f.table == "tracks"))
    written = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
    assert table_file_message(tracks, "bucket-1", written) == TableFileWritten(
        table="tracks",
        bucket="bucket-1",
        key=curated_key("tracks", EXTRACTED_AT.date(), KEY, tracks.data),
        partition={"dt": "2026-11-24"},
        rows=1,
        schema_version=1,
        source_key=KEY,
        written_at=written,
    )

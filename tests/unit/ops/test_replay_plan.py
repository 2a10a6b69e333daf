"""Replay's pure core: key -> message mapping, range filters, prefixes."""

from __future__ import annotations

import argparse
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from spotify_etl.replay.plan import (
    DateRange,
    Stage,
    listing_prefix,
    object_day,
    replay_run_id,
    source_key_of,
)
from spotify_etl.replay.stage import parse_day
from spotify_etl_common.keys import (
    curated_key,
    entity_key,
    parse_curated_key,
    parse_raw_key,
    playlist_items_key,
    playlist_key,
    recently_played_key,
)
from spotify_etl_common.messages import (
    RawObjectWritten,
    Source,
    TableFileWritten,
    extracted_at,
    raw_message,
    table_file_message,
)

NOW = datetime(2026, 11, 24, 1, 15, tzinfo=UTC)


def test_playlist_items_key_maps_to_a_message_with_playlist_snapshot_and_page() -> None:
    key = playlist_items_key("37abc", "snap=1.x", 3)
    assert raw_message("b", key, NOW, "replay-1") == RawObjectWritten(
        bucket="b",
        key=key,
        source=Source.PLAYLIST_ITEMS,
        entity_id="37abc",
        snapshot_id="snap=1.x",
        page=3,
        run_id="replay-1",
        extracted_at=NOW,
    )


def test_playlist_key_maps_snapshot_from_the_file_name() -> None:
    message = raw_message("b", playlist_key("p1", "MTY4.snap"), NOW, "r")
    assert (message.source, message.entity_id, message.snapshot_id, message.page) == (
        Source.PLAYLISTS,
        "p1",
        "MTY4.snap",
        None,
    )


@pytest.mark.parametrize("source", [Source.ALBUMS, Source.ARTISTS, Source.TRACKS])
def test_single_entity_keys_map_to_their_entity_id(source: Source) -> None:
    message = raw_message("b", entity_key(source, "4aawyAB9vmqN3uQ7FjRGTy"), NOW, "r")
    assert (message.source, message.entity_id, message.snapshot_id, message.page) == (
        source,
        "4aawyAB9vmqN3uQ7FjRGTy",
        None,
        None,
    )


def test_recently_played_key_has_no_entity_and_its_day_from_dt() -> None:
    key = recently_played_key(1_764_000_000_000)
    parts = parse_raw_key(key)
    assert parts is not None
    assert (parts.source, parts.entity_id, parts.page) == (Source.RECENTLY_PLAYED, None, None)
    assert parts.day == date(2025, 11, 24)


@pytest.mark.parametrize(
    "key",
    [
        "raw/source=unknown/x=1.json",
        "raw/source=albums/album_id=a.txt",
        "raw/README.md",
        "curated/tracks/dt=2026-11-24/a.parquet",
        "raw/source=playlist_items/playlist_id=p/snapshot_id=s/page=x.json",
    ],
)
def test_keys_that_are_not_raw_objects_are_not_parsed(key: str) -> None:
    assert parse_raw_key(key) is None
    with pytest.raises(ValueError, match="not a raw object key"):
        raw_message("b", key, NOW, "r")


def test_curated_key_maps_to_a_table_file_message_with_metadata_source_key() -> None:
    key = curated_key("tracks", date(2026, 11, 23), "raw/source=albums/album_id=a.json", b"")
    message = table_file_message("b", key, 42, "raw/source=albums/album_id=a.json", NOW)
    assert message == TableFileWritten(
        table="tracks",
        bucket="b",
        key=key,
        partition={"dt": "2026-11-23"},
        rows=42,
        schema_version=1,
        source_key="raw/source=albums/album_id=a.json",
        written_at=NOW,
    )


def test_source_key_comes_from_metadata_then_batch_name_then_lineage_then_the_key() -> None:
    key = curated_key("plays", date(2026, 11, 23), "raw/x", b"")
    batch = "curated/plays/dt=2026-11-23/batch-abc.parquet"
    assert source_key_of(key, {"source-key": "raw/m"}, ["raw/x"]) == "raw/m"
    assert source_key_of(batch, {}, ["raw/a", "raw/b"]) == "batch-abc"
    assert source_key_of(key, {}, ["raw/x"]) == "raw/x"
    assert source_key_of(key, {}, []) == key
    assert source_key_of(key, {}, ["raw/a", "raw/b"]) == key


def test_curated_keys_of_unknown_tables_or_without_dt_are_not_parsed() -> None:
    assert parse_curated_key("curated/nope/dt=2026-11-23/a.parquet") is None
    assert parse_curated_key("curated/tracks/a.parquet") is None
    assert parse_curated_key("curated/tracks/dt=2026-11-23/_SUCCESS") is None


def test_date_range_is_inclusive_and_open_ends_are_unbounded() -> None:
    days = DateRange(date(2026, 11, 2), date(2026, 11, 4))
    assert [days.contains(date(2026, 11, d)) for d in range(1, 6)] == [
        False,
        True,
        True,
        True,
        False,
    ]
    assert DateRange(since=date(2026, 1, 1)).contains(date(2030, 1, 1))
    assert DateRange().contains(date(1990, 1, 1))


def test_a_reversed_date_range_is_refused_with_what_to_do() -> None:
    with pytest.raises(ValueError, match="swap them"):
        DateRange(date(2026, 11, 5), date(2026, 11, 1))


def test_parse_day_explains_the_expected_format() -> None:
    assert parse_day("2026-11-24") == date(2026, 11, 24)
    with pytest.raises(argparse.ArgumentTypeError, match="yyyy-mm-dd"):
        parse_day("24/11/2026")


def test_object_day_uses_dt_partition_before_last_modified() -> None:
    late = datetime(2026, 11, 30, 23, 0, tzinfo=timezone(timedelta(hours=-5)))
    assert object_day(Stage.TRANSFORM, recently_played_key(1_764_000_000_000), late) == date(
        2025, 11, 24
    )
    assert object_day(Stage.TRANSFORM, playlist_key("p", "s"), late) == date(2026, 12, 1)
    assert object_day(Stage.CATALOG, "curated/tracks/dt=2026-11-02/a.parquet", late) == date(
        2026, 11, 2
    )
    assert object_day(Stage.CATALOG, "curated/tracks/other", late) is None


def test_listing_prefix_narrows_by_source_table_and_prefix() -> None:
    assert listing_prefix(Stage.TRANSFORM) == "raw/"
    assert listing_prefix(Stage.TRANSFORM, Source.ALBUMS) == "raw/source=albums/"
    assert listing_prefix(Stage.CATALOG) == "curated/"
    assert listing_prefix(Stage.CATALOG, table="plays") == "curated/plays/"
    assert (
        listing_prefix(
            Stage.TRANSFORM, Source.PLAYLIST_ITEMS, prefix="raw/source=playlist_items/playlist_id=p"
        )
        == "raw/source=playlist_items/playlist_id=p"
    )
    assert listing_prefix(Stage.CATALOG, table="plays", prefix="curated/") == "curated/plays/"


@pytest.mark.parametrize(
    ("stage", "kwargs", "message"),
    [
        (Stage.TRANSFORM, {"prefix": "curated/tracks/"}, "outside"),
        (Stage.TRANSFORM, {"table": "tracks"}, "--stage catalog"),
        (Stage.CATALOG, {"source": Source.ALBUMS}, "--stage transform"),
        (Stage.CATALOG, {"table": "songs"}, "unknown table"),
    ],
)
def test_listing_prefix_refuses_options_of_the_other_stage(
    stage: Stage, kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        listing_prefix(stage, **kwargs)  # type: ignore[arg-type]


def test_extracted_at_prefers_metadata_and_falls_back_to_last_modified() -> None:
    modified = datetime(2026, 11, 24, 3, 0, tzinfo=timezone(timedelta(hours=2)))
    stored = "2026-11-24T00:59:00+00:00"
    assert extracted_at({"extracted-at": stored}, modified) == datetime.fromisoformat(stored)
    assert extracted_at({}, modified) == datetime(2026, 11, 24, 1, 0, tzinfo=UTC)
    assert extracted_at({"extracted-at": "yesterday"}, modified) == modified
    assert extracted_at({"extracted-at": "2026-11-24T00:00:00"}, modified) == modified


def test_replay_run_id_is_a_utc_timestamp() -> None:
    assert replay_run_id(datetime(2026, 11, 24, 2, 15, 9, tzinfo=timezone(timedelta(hours=1)))) == (
        "replay-20261124T011509Z"
    )

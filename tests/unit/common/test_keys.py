"""Keys are pure, deterministic, Hive-style, and refuse what cannot be a key."""

from __future__ import annotations

from datetime import date

import pytest
from spotify_etl_common import keys
from spotify_etl_common.messages import Source


def test_playlist_items_key_is_hive_style_and_zero_padded() -> None:
    assert (
        keys.playlist_items_key("37i9dQZF1DXcBWIGoYBM5M", "AAAAB3abc=", 7)
        == "raw/source=playlist_items/playlist_id=37i9dQZF1DXcBWIGoYBM5M"
        "/snapshot_id=AAAAB3abc=/page=0007.json"
    )


def test_same_input_same_key() -> None:
    assert keys.playlist_key("p1", "s1") == keys.playlist_key("p1", "s1")
    src = keys.playlist_items_key("p1", "s1", 0)
    assert keys.curated_key("tracks", date(2026, 11, 24), src, b"PAR1") == keys.curated_key(
        "tracks", date(2026, 11, 24), src, b"PAR1"
    )


def test_curated_key_differs_per_source_object() -> None:
    day = date(2026, 1, 2)
    a = keys.curated_key("tracks", day, keys.playlist_items_key("p", "s", 0), b"PAR1")
    b = keys.curated_key("tracks", day, keys.playlist_items_key("p", "s", 1), b"PAR1")
    assert a != b
    assert a.startswith("curated/tracks/dt=2026-01-02/")
    assert a.endswith(".parquet")


def test_other_bytes_of_one_source_object_get_another_key_of_the_same_source() -> None:
    source = keys.playlist_items_key("p", "s", 0)
    first = keys.curated_key("tracks", date(2026, 1, 2), source, b"first bytes")
    other = keys.curated_key("tracks", date(2026, 1, 2), source, b"other bytes")

    assert first != other
    assert first == (
        f"curated/tracks/dt=2026-01-02/{keys.source_digest(source)}-"
        f"{keys.content_digest(b'first bytes')}.parquet"
    )
    assert keys.parse_curated_key(first) == keys.parse_curated_key(other)


def test_a_curated_key_parses_back_to_its_table_day_and_source_digest() -> None:
    source = "raw/source=albums/album_id=a.json"
    key = keys.curated_key("albums", date(2026, 11, 24), source, b"x")

    assert keys.parse_curated_key(key) == keys.CuratedKeyParts(
        "albums", date(2026, 11, 24), keys.source_digest(source)
    )


def test_earlier_and_batch_names_parse_but_icebergs_own_files_do_not() -> None:
    digest = keys.source_digest("raw/x")
    batch = keys.batch_curated_key("albums", date(2026, 11, 24), ["raw/x", "raw/y"], b"x")

    assert keys.parse_curated_key(f"curated/albums/dt=2026-11-24/{digest}.parquet") == (
        keys.CuratedKeyParts("albums", date(2026, 11, 24), digest)
    )
    assert batch.startswith(f"curated/albums/dt=2026-11-24/{keys.batch_name(['raw/y', 'raw/x'])}-")
    assert keys.parse_curated_key(batch) == keys.CuratedKeyParts("albums", date(2026, 11, 24), None)
    assert (
        keys.parse_curated_key("curated/albums/data/extracted_at_month=2026-11/0.parquet") is None
    )
    assert keys.parse_curated_key("curated/albums/metadata/snap-1.avro") is None
    assert keys.parse_curated_key("curated/albums/dt=2026-13-01/x.parquet") is None
    assert keys.parse_curated_key("curated/albums/dt=20261124/x.parquet") is None


def test_a_day_is_only_yyyy_mm_dd() -> None:
    assert keys.parse_day("2026-11-24") == date(2026, 11, 24)
    assert [keys.parse_day(t) for t in ("20261124", "2026-11-31", "yesterday", "")] == [None] * 4


def test_recently_played_key_partitions_by_utc_day_of_cursor() -> None:
    assert (
        keys.recently_played_key(1_764_028_800_000)
        == "raw/source=recently_played/dt=2025-11-25/after=1764028800000.json"
    )


def test_entity_key_per_source() -> None:
    assert keys.entity_key(Source.ALBUMS, "4aawyAB9vmqN3uQ7FjRGTy") == (
        "raw/source=albums/album_id=4aawyAB9vmqN3uQ7FjRGTy.json"
    )
    with pytest.raises(ValueError, match="not a single-entity source"):
        keys.entity_key(Source.PLAYLISTS, "x")


@pytest.mark.parametrize("bad", ["", "a/b", "../etc", "id with space", "é"])
def test_unsafe_ids_are_refused_with_the_reason(bad: str) -> None:
    with pytest.raises(ValueError, match="cannot be used in an S3 key"):
        keys.playlist_key(bad, "s")


def test_partition_values_and_source_of_read_keys_back() -> None:
    key = keys.playlist_items_key("p1", "s1", 3)
    assert keys.partition_values(key) == {
        "source": "playlist_items",
        "playlist_id": "p1",
        "snapshot_id": "s1",
    }
    assert keys.source_of(key) is Source.PLAYLIST_ITEMS
    with pytest.raises(ValueError, match="is not a raw key"):
        keys.source_of("curated/tracks/dt=2026-01-01/x.parquet")


def test_a_user_scoped_key_carries_the_user_and_parses_back_whatever_the_id_holds() -> None:
    key = f"{keys.user_prefix(Source.RECENTLY_PLAYED, 'al.ice/ü 1')}dt=2026-01-01/after=1.json"
    assert key.startswith("raw/source=recently_played/user=al.ice%2F%C3%BC%201/")
    parts = keys.parse_raw_key(key)
    assert parts is not None
    assert parts.user_id == "al.ice/ü 1"
    assert parts.day == date(2026, 1, 1)
    assert Source.ALBUMS not in keys.USER_SCOPED
    with pytest.raises(ValueError, match="shared dimension"):
        keys.user_prefix(Source.ALBUMS, "alice")


def test_a_key_written_before_the_household_has_no_user() -> None:
    parts = keys.parse_raw_key("raw/source=recently_played/dt=2026-01-01/after=1.json")
    assert parts is not None
    assert parts.user_id is None


def test_every_user_scoped_builder_puts_the_user_after_the_source() -> None:
    day = date(2026, 1, 2)
    built = {
        Source.PLAYLISTS: keys.playlist_key("p1", "s1", "bob"),
        Source.PLAYLIST_ITEMS: keys.playlist_items_key("p1", "s1", 0, "bob"),
        Source.RECENTLY_PLAYED: keys.recently_played_key(1_764_028_800_000, "bob"),
        Source.SAVED_TRACKS: keys.library_page_key(Source.SAVED_TRACKS, "r1", day, 0, None, "bob"),
        Source.STREAMING_HISTORY: keys.streaming_history_key("audio", "2026-01", "ab" * 8, "bob"),
    }
    for source, key in built.items():
        assert key.startswith(keys.user_prefix(source, "bob"))
        parts = keys.parse_raw_key(key)
        assert parts is not None
        assert (parts.source, parts.user_id) == (source, "bob")
    assert (
        keys.playlist_key("p1", "s1") == "raw/source=playlists/playlist_id=p1/snapshot_id=s1.json"
    )
    assert keys.parse_raw_key(keys.playlist_items_key("p1", "s1", 3, "bob")) == keys.RawKeyParts(
        Source.PLAYLIST_ITEMS, "p1", "s1", 3, None, "bob"
    )

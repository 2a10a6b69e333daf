"""The pure core: raw response bytes in, typed curated frames out."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal
from spotify_etl_common.messages import Source
from spotify_etl_common.tables import TABLES
from transformer.core import TABLES_OF, UNKNOWN_SNAPSHOT, transform
from transformer.schemas import polars_schema

from tests.reference import EXAMPLES
from tests.unit.transformer.payloads import (
    EXTRACTED_AT,
    PLAYLIST_ID,
    album,
    artist,
    episode,
    items_page,
    local_track,
    playlist_item,
    raw,
    track,
)

KEY = "raw/source=playlist_items/p/page=0000.json"


def test_every_table_has_exactly_the_declared_columns_and_dtypes() -> None:
    body = items_page([playlist_item(track())])
    result = transform([raw(body)])
    for name, frame in result.tables.items():
        assert frame.schema == polars_schema(TABLES[name]), name


def test_playlist_items_keep_every_item_in_order_with_its_type() -> None:
    body = items_page(
        [
            playlist_item(track("t1")),
            playlist_item(None),
            playlist_item(local_track()),
            playlist_item(episode("e1")),
        ],
        offset=100,
    )
    items = transform([raw(body, snapshot_id="snap1")]).tables["playlist_items"]
    expected = pl.DataFrame(
        {
            "playlist_id": [PLAYLIST_ID] * 4,
            "snapshot_id": ["snap1"] * 4,
            "position": [100, 101, 102, 103],
            "item_type": ["track", "missing", "local", "episode"],
            "track_id": ["t1", None, None, "e1"],
            "track_uri": [
                "spotify:track:t1",
                None,
                "spotify:local:Someone:Album:My+Recording:215",
                "spotify:episode:e1",
            ],
            "is_local": [False, False, True, False],
            "added_at": [datetime(2022, 5, 20, 14, 10, 29, tzinfo=UTC)] * 4,
            "added_by": ["ana"] * 4,
            "user_id": [None] * 4,
            "source_key": [KEY] * 4,
            "extracted_at": [EXTRACTED_AT] * 4,
        },
        schema=polars_schema(TABLES["playlist_items"]),
    )
    assert_frame_equal(items, expected)


def test_null_tracks_local_files_and_episodes_never_become_dimension_rows() -> None:
    body = items_page(
        [playlist_item(None), playlist_item(local_track()), playlist_item(episode("e1"))]
    )
    tables = transform([raw(body)]).tables
    for name in ("tracks", "albums", "artists", "track_artists"):
        assert tables[name].height == 0, name


def test_every_artist_of_a_track_is_kept_in_credit_order() -> None:
    credits = [artist("a1", "Zion & Lennox"), artist("a2", "J Balvin"), artist("a3", "Feat")]
    body = items_page([playlist_item(track("t1", artists=credits))])
    pairs = transform([raw(body)]).tables["track_artists"]
    assert pairs.select("track_id", "artist_id", "position").rows() == [
        ("t1", "a1", 0),
        ("t1", "a2", 1),
        ("t1", "a3", 2),
    ]


def test_artists_include_album_artists_once_per_object() -> None:
    body = items_page(
        [
            playlist_item(track("t1", artists=[artist("a1", "One"), artist("a2", "Two")])),
            playlist_item(track("t2", artists=[artist("a2", "Two")])),
        ]
    )
    artists = transform([raw(body)]).tables["artists"]
    assert sorted(artists["artist_id"].to_list()) == ["a1", "a2", "art1"]


def test_duplicates_within_a_page_give_one_dimension_row_and_two_items() -> None:
    body = items_page([playlist_item(track("t1")), playlist_item(track("t1"))])
    tables = transform([raw(body)]).tables
    assert tables["playlist_items"]["position"].to_list() == [0, 1]
    assert tables["tracks"].height == 1
    assert tables["albums"].height == 1
    assert tables["track_artists"].height == 1


@pytest.mark.parametrize(
    ("release_date", "precision", "first_day", "year"),
    [
        ("1981", "year", date(1981, 1, 1), 1981),
        ("1981-12", "month", date(1981, 12, 1), 1981),
        ("1981-12-04", "day", date(1981, 12, 4), 1981),
        ("0000", "year", None, None),
        ("1999-02-30", "day", None, 1999),
    ],
)
def test_release_dates_become_the_first_day_of_their_period(
    release_date: str, precision: str, first_day: date | None, year: int | None
) -> None:
    body = items_page(
        [playlist_item(track(album_body=album(release_date=release_date, precision=precision)))]
    )
    albums = transform([raw(body)]).tables["albums"]
    assert albums.select("release_date", "release_date_precision", "release_year").row(0) == (
        first_day,
        precision,
        year,
    )


def test_missing_precision_is_inferred_from_the_date_length() -> None:
    body = items_page([playlist_item(track(album_body=album(release_date="1999", precision=None)))])
    albums = transform([raw(body)]).tables["albums"]
    assert albums.select("release_date", "release_date_precision").row(0) == (
        date(1999, 1, 1),
        "year",
    )


def test_absent_popularity_is_null_not_zero() -> None:
    body = items_page(
        [playlist_item(track("t1", popularity=None)), playlist_item(track("t2", popularity=0))]
    )
    tracks = transform([raw(body)]).tables["tracks"]
    assert tracks.select("track_id", "popularity").rows() == [("t1", None), ("t2", 0)]


def test_unicode_names_survive() -> None:
    name = 'Straße 東京 Ночь 💿 "quoted" back\\slash'
    body = items_page([playlist_item(track("t1", name=name, artists=[artist("a1", "Beyoncé")]))])
    tables = transform([raw(body)]).tables
    assert tables["tracks"]["name"].to_list() == [name]
    assert "Beyoncé" in tables["artists"]["name"].to_list()


def test_the_2026_items_shape_reads_item_and_ignores_the_duplicate_track() -> None:
    body = items_page(
        [playlist_item(track("new"), new_shape=True) | {"track": track("stale")}], endpoint="items"
    )
    tables = transform([raw(body)]).tables
    assert tables["playlist_items"]["track_id"].to_list() == ["new"]
    assert tables["tracks"]["track_id"].to_list() == ["new"]


def test_snapshot_comes_from_the_context_else_is_marked_unknown() -> None:
    body = items_page([playlist_item(track())])
    with_context = transform([raw(body, playlist_id="fromMsg", snapshot_id="s1")])
    without = transform([raw(body)])
    assert with_context.tables["playlist_items"].select("playlist_id", "snapshot_id").row(0) == (
        "fromMsg",
        "s1",
    )
    assert without.tables["playlist_items"].select("playlist_id", "snapshot_id").row(0) == (
        PLAYLIST_ID,
        UNKNOWN_SNAPSHOT,
    )


def test_an_empty_page_yields_every_table_of_its_source_empty() -> None:
    result = transform([raw(items_page([]))])
    assert set(result.tables) == set(TABLES_OF[Source.PLAYLIST_ITEMS])
    assert all(frame.height == 0 for frame in result.tables.values())


def test_a_batch_keeps_each_rows_lineage() -> None:
    first = raw(items_page([playlist_item(track("t1"))]), key="raw/a.json")
    second = raw(items_page([playlist_item(track("t1"))]), key="raw/b.json")
    tracks = transform([first, second]).tables["tracks"]
    assert tracks.select("track_id", "source_key").rows() == [
        ("t1", "raw/a.json"),
        ("t1", "raw/b.json"),
    ]


def test_recently_played_gives_plays_and_track_dimensions() -> None:
    body = json.dumps(
        {
            "items": [
                {
                    "track": track("t1"),
                    "played_at": "2023-09-22T15:43:33.750Z",
                    "context": {"type": "playlist", "uri": "spotify:playlist:p1"},
                },
                {"track": track("t2"), "played_at": "2023-09-22T15:23:14Z", "context": None},
            ],
            "next": None,
            "cursors": {"after": "1695397413750", "before": "1695396194294"},
            "limit": 2,
            "href": "https://api.spotify.com/v1/me/player/recently-played?limit=2",
        }
    ).encode()
    tables = transform([raw(body, key="raw/source=recently_played/x.json")]).tables
    assert tables["plays"].select(
        "played_at", "track_id", "context_type", "context_uri"
    ).rows() == [
        (
            datetime(2023, 9, 22, 15, 43, 33, 750000, tzinfo=UTC),
            "t1",
            "playlist",
            "spotify:playlist:p1",
        ),
        (datetime(2023, 9, 22, 15, 23, 14, tzinfo=UTC), "t2", None, None),
    ]
    assert tables["tracks"]["track_id"].to_list() == ["t1", "t2"]


def test_single_album_artist_track_and_playlist_objects() -> None:
    album_body = album("alb9", release_date="1983", precision="year")
    album_body["tracks"] = {"items": [], "total": 13}
    playlist = {
        "collaborative": False,
        "description": "Dinner",
        "external_urls": {"spotify": "https://open.spotify.com/playlist/p1"},
        "href": "https://api.spotify.com/v1/playlists/p1",
        "id": "p1",
        "name": "Dinner with Friends",
        "owner": {"id": "spotify", "type": "user"},
        "public": None,
        "snapshot_id": "snapA",
        "items": {"href": "x", "items": [], "total": 105},
        "type": "playlist",
        "uri": "spotify:playlist:p1",
    }
    objects = [
        raw(json.dumps(album_body).encode(), key="raw/album.json"),
        raw(json.dumps(artist("ar9", "Pitbull")).encode(), key="raw/artist.json"),
        raw(json.dumps(track("t9")).encode(), key="raw/track.json"),
        raw(json.dumps(playlist).encode(), key="raw/playlist.json"),
    ]
    result = transform(objects)
    assert result.sources == {
        "raw/album.json": Source.ALBUMS,
        "raw/artist.json": Source.ARTISTS,
        "raw/track.json": Source.TRACKS,
        "raw/playlist.json": Source.PLAYLISTS,
    }
    tables = result.tables
    assert tables["albums"].filter(pl.col("source_key") == "raw/album.json").select(
        "album_id", "release_date", "release_date_precision"
    ).row(0) == ("alb9", date(1983, 1, 1), "year")
    assert "ar9" in tables["artists"]["artist_id"].to_list()
    assert tables["tracks"]["track_id"].to_list() == ["t9"]
    assert tables["playlists"].select(
        "playlist_id", "snapshot_id", "owner_id", "public", "total_items"
    ).row(0) == ("p1", "snapA", "spotify", None, 105)


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.json")), ids=lambda p: p.name)
def test_every_recorded_example_is_recognised_and_gives_rows(path: Path) -> None:
    result = transform([raw(path.read_bytes(), key=f"examples/{path.name}")])
    assert result.sources
    empty_page = path.name == "java-GetUsersFollowedArtistsRequest_None.json"
    assert (sum(frame.height for frame in result.tables.values()) > 0) is not empty_page


def test_recorded_examples_are_recognised_as_what_they_hold() -> None:
    sources = {
        p.name: transform([raw(p.read_bytes(), key=p.name)]).sources[p.name]
        for p in sorted(EXAMPLES.glob("*.json"))
    }
    assert sources == {
        "java-GetCurrentUsersRecentlyPlayedTracksRequest.json": Source.RECENTLY_PLAYED,
        "java-GetPlaylistRequest.json": Source.PLAYLISTS,
        "java-GetPlaylistsItemsRequest.json": Source.PLAYLIST_ITEMS,
        "java-GetPlaylistsItemsRequest_Episode.json": Source.PLAYLIST_ITEMS,
        "zmb3-find_album.json": Source.ALBUMS,
        "zmb3-find_artist.json": Source.ARTISTS,
        "zmb3-player_recently_played.json": Source.RECENTLY_PLAYED,
        "zmb3-playlist_items_episodes_and_tracks.json": Source.PLAYLIST_ITEMS,
        "zmb3-playlist_items_tracks.json": Source.PLAYLIST_ITEMS,
        "java-GetAlbumRequest.json": Source.ALBUMS,
        "java-GetAlbumsTracksRequest.json": Source.ALBUM_TRACKS,
        "java-GetArtistRequest.json": Source.ARTISTS,
        "java-GetArtistsAlbumsRequest.json": Source.ARTIST_ALBUMS,
        "java-GetCurrentUsersSavedAlbumsRequest.json": Source.SAVED_ALBUMS,
        "java-GetEpisodeRequest.json": Source.EPISODES,
        "java-GetListOfCurrentUsersPlaylistsRequest.json": Source.MY_PLAYLISTS,
        "java-GetShowRequest.json": Source.SHOWS,
        "java-GetShowsEpisodesRequest.json": Source.SHOW_EPISODES,
        "java-GetTrackRequest.json": Source.TRACKS,
        "java-GetUsersFollowedArtistsRequest.json": Source.FOLLOWED_ARTISTS,
        "java-GetUsersFollowedArtistsRequest_None.json": Source.FOLLOWED_ARTISTS,
        "java-GetUsersSavedTracksRequest.json": Source.SAVED_TRACKS,
        "java-GetUsersTopArtistsRequest.json": Source.TOP_ARTISTS,
        "java-GetUsersTopTracksRequest.json": Source.TOP_TRACKS,
    }


def test_the_example_item_without_a_track_key_is_kept_as_missing() -> None:
    body = (EXAMPLES / "java-GetPlaylistsItemsRequest.json").read_bytes()
    items = transform([raw(body)]).tables["playlist_items"]
    assert items["item_type"].to_list() == ["track", "missing"]


def test_timestamps_with_an_offset_are_converted_to_utc_and_unreadable_ones_are_null() -> None:
    items = [
        playlist_item(track("t1"), added_at="2022-05-20T16:10:29+02:00"),
        playlist_item(track("t2"), added_at="2022-05-20T14:10:29.5Z"),
        playlist_item(track("t3"), added_at=None),
        playlist_item(track("t4"), added_at="2022-05-20T14:10:29"),
        playlist_item(track("t5"), added_at="yesterday"),
    ]
    added = transform([raw(items_page(items))]).tables["playlist_items"]["added_at"].to_list()
    assert added == [
        datetime(2022, 5, 20, 14, 10, 29, tzinfo=UTC),
        datetime(2022, 5, 20, 14, 10, 29, 500000, tzinfo=UTC),
        None,
        None,
        None,
    ]


def test_pages_of_a_fake_web_api_on_another_host_transform_too() -> None:
    page = json.loads(items_page([playlist_item(track("t1"))], offset=50))
    page["href"] = "http://127.0.0.1:8123/v1/playlists/pFake/items?offset=50&limit=50"
    items = transform([raw(json.dumps(page).encode())]).tables["playlist_items"]
    assert items.select("playlist_id", "position").row(0) == ("pFake", 50)

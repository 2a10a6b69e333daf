"""Recognising a raw object from its content, and refusing what is not one."""

from __future__ import annotations

import json

import pytest
from spotify_etl_common.messages import Source
from transformer.recognise import UnreadableObject, recognise, skip_markets

from tests.unit.transformer.payloads import items_page, playlist_item, track

KEY = "raw/source=playlist_items/playlist_id=p/snapshot_id=s/page=0000.json"


@pytest.mark.parametrize(
    ("href", "source"),
    [
        ("https://api.spotify.com/v1/playlists/p1/items?offset=0&limit=50", Source.PLAYLIST_ITEMS),
        (
            "https://api.spotify.com/v1/playlists/p1/tracks?offset=0&limit=100",
            Source.PLAYLIST_ITEMS,
        ),
        ("https://api.spotify.com/v1/users/spotify/playlists/p1/tracks", Source.PLAYLIST_ITEMS),
        ("https://api.spotify.com/v1/me/player/recently-played?limit=50", Source.RECENTLY_PLAYED),
        ("http://127.0.0.1:8123/v1/playlists/p1/items?offset=50&limit=50", Source.PLAYLIST_ITEMS),
        ("http://localhost:8123/fake/v1/me/player/recently-played", Source.RECENTLY_PLAYED),
    ],
)
def test_pages_are_recognised_by_their_href(href: str, source: Source) -> None:
    body = json.dumps({"items": [], "href": href}).encode()
    assert recognise(KEY, body).source is source


def test_the_file_name_plays_no_part() -> None:
    body = items_page([playlist_item(track())])
    assert recognise("spotify_raw_2023-01-01 10:00:00.json", body).source is Source.PLAYLIST_ITEMS
    assert recognise("raw/source=albums/album_id=x.json", body).source is Source.PLAYLIST_ITEMS


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (b'{"href": "https://api.spotify.com/v1/playlists/p/tracks", "items": }', "malformed JSON"),
        (b'{"href": "https://api.spotify.com/v1/playlists/p/tracks", "items": [', "truncated"),
        (b"", "empty body"),
        (b"[1, 2]", "unexpected JSON shape"),
        (b'[{"href": "a"}, {"href": "b"}]', "a JSON array, but not a Spotify streaming history"),
        (
            b'{"href": "https://api.spotify.com/v1/playlists/p/tracks", "items": {"total": 1}}',
            "unexpected JSON shape",
        ),
        (
            b'{"href": "https://api.spotify.com/v1/audiobooks/x", "type": "audiobook"}',
            "unknown shape",
        ),
        (b'{"hello": "world"}', "unknown shape"),
        (b'{"href": "https://api.spotify.com/v1/playlists/p/tracks"}', "without an items list"),
        (b'{"type": "album", "name": "no id"}', "without an id"),
    ],
)
def test_bad_bodies_raise_an_error_naming_the_key_and_the_problem(
    body: bytes, problem: str
) -> None:
    with pytest.raises(UnreadableObject) as caught:
        recognise(KEY, body)
    assert str(caught.value).startswith(KEY)
    assert problem in str(caught.value)


def test_skipping_markets_empties_only_real_market_arrays() -> None:
    trick = 'name with "available_markets":["XX"] inside'
    body = json.dumps({"name": trick, "available_markets": ["GB", "US"], "x": 1}).encode()
    assert json.loads(skip_markets(body)) == {"name": trick, "available_markets": [], "x": 1}

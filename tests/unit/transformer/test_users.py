"""A household in one lake: user-scoped rows carry the user their raw key names; dimensions none."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from spotify_etl_common import keys
from spotify_etl_common.messages import raw_message
from spotify_etl_common.sources import Source
from spotify_etl_common.tables import TABLES, USER_SCOPED_TABLES
from transformer.core import transform
from transformer.file_batch import local_raw_object
from transformer.handler import raw_object
from transformer.local_inputs import LocalFile

from tests.unit.transformer.payloads import items_page, playlist_item, raw, track

DIMENSIONS = {"tracks", "albums", "artists", "track_artists", "shows", "episodes"}


def _recently_played(*track_ids: str) -> bytes:
    items = [
        {"track": track(t), "played_at": f"2026-11-2{n}T10:00:00Z", "context": None}
        for n, t in enumerate(track_ids)
    ]
    return json.dumps(
        {
            "items": items,
            "next": None,
            "cursors": None,
            "limit": 50,
            "href": "https://api.spotify.com/v1/me/player/recently-played?limit=50",
        }
    ).encode()


def _recent_key(user: str | None) -> str:
    legacy = keys.recently_played_key(1)
    if user is None:
        return legacy
    return legacy.replace(
        keys.source_prefix(Source.RECENTLY_PLAYED), keys.user_prefix(Source.RECENTLY_PLAYED, user)
    )


def test_exactly_the_user_scoped_tables_have_user_id_and_the_dimensions_none() -> None:
    assert {
        "plays",
        "saved_tracks",
        "saved_albums",
        "saved_shows",
        "saved_episodes",
        "top_items",
        "followed_artists",
        "playlists",
        "playlist_items",
    } == USER_SCOPED_TABLES
    for name, table in TABLES.items():
        assert ("user_id" in table.column_names) is (name in USER_SCOPED_TABLES), name
    assert set(TABLES) - USER_SCOPED_TABLES == DIMENSIONS


def test_rows_of_a_user_scoped_object_carry_the_user_its_key_names_and_dimensions_none() -> None:
    key = _recent_key("al.ice/ü")
    tables = transform([raw(_recently_played("t1", "t2"), key=key, user_id="al.ice/ü")]).tables
    assert tables["plays"]["user_id"].to_list() == ["al.ice/ü", "al.ice/ü"]
    for dimension in ("tracks", "albums", "artists", "track_artists"):
        assert "user_id" not in tables[dimension].columns


def test_a_batch_of_several_users_keeps_each_rows_user() -> None:
    pages = [
        raw(_recently_played("t1"), key=_recent_key("alice"), user_id="alice"),
        raw(
            _recently_played("t2", "t3"), key=_recent_key("bob").replace("=1", "=2"), user_id="bob"
        ),
        raw(_recently_played("t4"), key="raw/source=recently_played/dt=2026-01-01/after=3.json"),
    ]
    plays = transform(pages).tables["plays"]
    assert plays.select("track_id", "user_id").rows() == [
        ("t1", "alice"),
        ("t2", "bob"),
        ("t3", "bob"),
        ("t4", None),
    ]


def test_the_queue_message_and_a_local_raw_tree_take_the_user_from_the_raw_key() -> None:
    key = (
        keys.user_prefix(Source.PLAYLIST_ITEMS, "bob")
        + "playlist_id=p/snapshot_id=s/page=0000.json"
    )
    at = datetime(2026, 12, 1, tzinfo=UTC)
    body = items_page([playlist_item(track("t1"))])
    from_message = raw_object(raw_message("b", key, at, "run"), body)
    assert from_message.user_id == "bob"
    assert transform([from_message]).tables["playlist_items"]["user_id"].to_list() == ["bob"]
    local = local_raw_object(LocalFile(Path(f"/copy/{key}")), body, at)
    assert local.user_id == "bob"
    legacy = raw_object(raw_message("b", keys.playlist_items_key("p", "s", 0), at, "run"), body)
    assert legacy.user_id is None
    assert transform([legacy]).tables["playlist_items"]["user_id"].to_list() == [None]

"""Replay rebuilds, from the key alone, the message the extractor sent for that object."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from extractor.output import RawObject, RunContext
from extractor.output import raw_message as extractor_message
from spotify_etl_common.keys import (
    entity_key,
    playlist_items_key,
    playlist_key,
    recently_played_key,
)
from spotify_etl_common.messages import Source, raw_message

RUN = RunContext(run_id="run-7", started_at=datetime(2026, 11, 24, 1, tzinfo=UTC), bucket="b")


@pytest.mark.parametrize(
    "obj",
    [
        RawObject(
            playlist_items_key("p1", "snapA", 2), b"", Source.PLAYLIST_ITEMS, "p1", "snapA", 2
        ),
        RawObject(playlist_key("p1", "snapA"), b"", Source.PLAYLISTS, "p1", "snapA"),
        RawObject(recently_played_key(1_764_000_000_000), b"", Source.RECENTLY_PLAYED),
        RawObject(recently_played_key(1_764_000_000_000, "al.ice"), b"", Source.RECENTLY_PLAYED),
        RawObject(
            playlist_items_key("p1", "snapA", 0, "bob"),
            b"",
            Source.PLAYLIST_ITEMS,
            "p1",
            "snapA",
            0,
        ),
        RawObject(entity_key(Source.ALBUMS, "alb1"), b"", Source.ALBUMS, "alb1"),
        RawObject(entity_key(Source.ARTISTS, "art1"), b"", Source.ARTISTS, "art1"),
        RawObject(entity_key(Source.TRACKS, "trk1"), b"", Source.TRACKS, "trk1"),
        RawObject(entity_key(Source.SHOWS, "shw1"), b"", Source.SHOWS, "shw1"),
        RawObject(entity_key(Source.EPISODES, "epi1"), b"", Source.EPISODES, "epi1"),
    ],
    ids=lambda o: f"{o.source}-{'user' if 'user=' in o.key else 'plain'}",
)
def test_replayed_message_equals_the_extractors(obj: RawObject) -> None:
    sent = json.loads(extractor_message(obj, RUN).body)
    replayed = raw_message(RUN.bucket, obj.key, RUN.started_at, RUN.run_id)
    assert replayed.model_dump(mode="json") == sent


def test_the_extractors_message_names_the_user_of_a_user_scoped_key_only() -> None:
    def user_of(key: str, source: Source) -> str | None:
        return raw_message_user(RawObject(key, b"", source))

    def raw_message_user(obj: RawObject) -> str | None:
        return json.loads(extractor_message(obj, RUN).body)["user_id"]

    assert user_of(recently_played_key(1, "al.ice"), Source.RECENTLY_PLAYED) == "al.ice"
    assert user_of(recently_played_key(1), Source.RECENTLY_PLAYED) is None
    assert user_of(entity_key(Source.ALBUMS, "alb1"), Source.ALBUMS) is None

"""The curated tables each raw source yields: the transformer writes one file per table per
raw object, even an empty one, at :func:`spotify_etl_common.keys.curated_key`.

Shared so that whoever checks whether a raw object was transformed (the local
stack's recovery at ``local up``) expects the same files the transformer writes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from spotify_etl_common.sources import Source

_DIMENSIONS: Final = ("tracks", "albums", "artists", "track_artists")

TABLES_OF: Final[Mapping[Source, tuple[str, ...]]] = {
    Source.PLAYLIST_ITEMS: (
        "playlist_items",
        "tracks",
        "albums",
        "artists",
        "track_artists",
        "episodes",
        "shows",
    ),
    Source.RECENTLY_PLAYED: ("plays", *_DIMENSIONS),
    Source.TRACKS: _DIMENSIONS,
    Source.ALBUMS: ("albums", "artists"),
    Source.ARTISTS: ("artists",),
    Source.PLAYLISTS: ("playlists",),
    Source.STREAMING_HISTORY: ("plays",),
    Source.SAVED_TRACKS: ("saved_tracks", *_DIMENSIONS),
    Source.SAVED_ALBUMS: ("saved_albums", *_DIMENSIONS),
    Source.SAVED_SHOWS: ("saved_shows", "shows"),
    Source.SAVED_EPISODES: ("saved_episodes", "episodes", "shows"),
    Source.TOP_ARTISTS: ("top_items", "artists"),
    Source.TOP_TRACKS: ("top_items", *_DIMENSIONS),
    Source.FOLLOWED_ARTISTS: ("followed_artists", "artists"),
    Source.MY_PLAYLISTS: ("playlists",),
    Source.SHOWS: ("shows", "episodes"),
    Source.EPISODES: ("episodes", "shows"),
    Source.SHOW_EPISODES: ("episodes",),
    Source.ALBUM_TRACKS: ("tracks", "artists", "track_artists"),
    Source.ARTIST_ALBUMS: ("albums", "artists"),
}
"""The tables each source yields: one file each per raw object, even when empty."""

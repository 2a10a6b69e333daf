"""What a raw object holds: a plain enum, cheap to import (no pydantic, no botocore).

Batch tools import keys and sources in every worker process; keeping this
module light keeps their start-up short.
"""

from __future__ import annotations

from enum import StrEnum


class Source(StrEnum):
    """What a raw object holds; also the ``source=`` partition of raw keys."""

    PLAYLISTS = "playlists"
    PLAYLIST_ITEMS = "playlist_items"
    RECENTLY_PLAYED = "recently_played"
    ALBUMS = "albums"
    ARTISTS = "artists"
    TRACKS = "tracks"
    STREAMING_HISTORY = "streaming_history"
    """Plays from the user's data export (``spotify-etl import-history``), scrubbed."""
    MY_PLAYLISTS = "my_playlists"
    SAVED_TRACKS = "saved_tracks"
    SAVED_ALBUMS = "saved_albums"
    SAVED_SHOWS = "saved_shows"
    SAVED_EPISODES = "saved_episodes"
    TOP_ARTISTS = "top_artists"
    TOP_TRACKS = "top_tracks"
    FOLLOWED_ARTISTS = "followed_artists"
    SHOWS = "shows"
    EPISODES = "episodes"
    SHOW_EPISODES = "show_episodes"
    ALBUM_TRACKS = "album_tracks"
    ARTIST_ALBUMS = "artist_albums"

"""More users of the same app: each with their own playlists, plays and library.

A household shares the catalogue (albums, artists, tracks, shows and episodes:
the same dictionaries) and the app's quota, but each user has a refresh token
of their own, and what their token answers is theirs alone: ``/me``, their
playlists (``Mix`` playlists named after them), their recently played (other
tracks than the first user's: ``taste``) and a library chosen with their own
salt. Some of it overlaps, as a household's taste does: the catalogue is one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from fake_spotify.catalog import BASE_TIME, Catalog, Entry, Playlist, spotify_id
from fake_spotify.library import build_library


@dataclass(frozen=True)
class FakeUser:
    """Another user of the app."""

    user_id: str
    display_name: str
    refresh_token: str
    taste: int = 7
    """Shifts the tracks they play and put in playlists (0 would be the first user's)."""
    playlists: int = 2
    items: int = 20
    plays: int = 30
    saved_tracks: int = 20
    saved_albums: int = 3
    followed_artists: int = 5
    top_items: int = 10


def user_catalog(shared: Catalog, user: FakeUser) -> Catalog:
    """``user``'s catalogue over ``shared``'s dimensions (the same objects, not copies)."""
    seed = shared.spec.seed
    catalog = Catalog(
        spec=shared.spec,
        artists=shared.artists,
        albums=shared.albums,
        tracks=shared.tracks,
        episodes=shared.episodes,
        shows=shared.shows,
        owner_id=user.user_id,
        display_name=user.display_name,
        taste=user.taste,
    )
    track_ids = list(shared.tracks)
    for p in range(user.playlists):
        playlist_id = spotify_id(f"playlist:{user.user_id}", p, seed)
        entries = [
            Entry(
                "track",
                track_ids[(user.taste * 11 + p * 5 + position) % len(track_ids)],
                BASE_TIME + timedelta(hours=p, minutes=position),
            )
            for position in range(user.items)
        ]
        name = f"{user.display_name}'s Mix {p}"
        catalog.playlists[playlist_id] = Playlist(playlist_id, name, user.user_id, entries)
    catalog.add_plays(user.plays)
    catalog.library = build_library(
        track_ids,
        list(shared.albums),
        list(shared.artists),
        list(shared.shows),
        list(shared.episodes),
        saved_tracks=user.saved_tracks,
        saved_albums=user.saved_albums,
        followed=user.followed_artists,
        top_items=user.top_items,
        start=BASE_TIME - timedelta(days=400),
        salt=f"{user.user_id}:",
    )
    return catalog

"""Typed views of the library answers: only what the extractor decides on.

The raw bytes are stored untouched; these read ``next`` links, ``total``, the
saved items' ``added_at`` and ids, playlist owners, and the ids a page
references (albums and artists to fetch, shows to fetch).
"""

from __future__ import annotations

from extractor.spotify.models import Loose, Page, Playable, Ref, References


class EpisodeRef(Loose):
    id: str | None = None
    show: Ref | None = None


class Saved(Loose):
    """One element of a saved-items page, whatever it wraps."""

    added_at: str | None = None
    track: Playable | None = None
    album: Playable | None = None
    show: Ref | None = None
    episode: EpisodeRef | None = None

    def item_id(self, kind: str) -> str | None:
        """The id of the wrapped ``track``, ``album``, ``show`` or ``episode``."""
        item = {"track": self.track, "album": self.album, "show": self.show}.get(kind, self.episode)
        return item.id if item is not None else None


class SavedPage(Page[Saved]):
    """An offset page of ``/me/tracks``, ``/me/albums``, ``/me/shows`` or ``/me/episodes``."""


class ItemsPage(Page[Playable | None]):
    """Any page whose items are tracks or artists (top items)."""


class CursorPage(Page[Ref | None]):
    """A cursor page of artists (its ``next`` carries the cursor)."""


class FollowedPage(Loose):
    """``/me/following?type=artist``: the cursor page wrapped in ``artists``."""

    artists: CursorPage


class MyPlaylist(Loose):
    id: str
    name: str | None = None
    snapshot_id: str | None = None
    owner: Ref | None = None
    collaborative: bool = False


class MyPlaylistsPage(Page[MyPlaylist | None]):
    """An offset page of ``/me/playlists``."""


class Me(Loose):
    """``GET /me``: who the token's user is."""

    id: str
    display_name: str | None = None


def saved_references(page: SavedPage, kind: str) -> References:
    """Albums and artists a saved-items page references (tracks: album and artists; albums:
    their artists)."""
    refs = References()
    for saved in page.items:
        if kind == "track":
            refs.add(saved.track)
        elif kind == "album" and saved.album is not None:
            refs.artists.update(a.id for a in saved.album.artists if a.id)
    return refs


def shows_referenced(page: SavedPage) -> set[str]:
    """Shows a page of saved shows or saved episodes references."""
    shows = {saved.show.id for saved in page.items if saved.show and saved.show.id}
    for saved in page.items:
        if saved.episode and saved.episode.show and saved.episode.show.id:
            shows.add(saved.episode.show.id)
    return shows


def top_track_references(page: ItemsPage) -> References:
    refs = References()
    for track in page.items:
        refs.add(track)
    return refs

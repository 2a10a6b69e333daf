"""The user's library as sources: what ``EXTRACTOR_LIBRARY`` and ``EXTRACTOR_PLAYLISTS=mine`` mean.

Parsing the configuration and the scopes each source needs are pure; the
sources themselves live beside this module (:mod:`extractor.sources.library_saved`,
:mod:`extractor.sources.library_snapshots`, :mod:`extractor.sources.library_mine`) and
:func:`extractor.sources.library_run.run_library` runs them; the shows they reference
are journaled and fetched with the albums and artists (:mod:`extractor.sources.entities`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from spotify_etl_common.sources import Source

MINE = "mine"
"""The ``EXTRACTOR_PLAYLISTS`` entry for every playlist the user owns or collaborates on."""


class LibrarySource(StrEnum):
    """One ``EXTRACTOR_LIBRARY`` entry."""

    SAVED_TRACKS = "saved_tracks"
    SAVED_ALBUMS = "saved_albums"
    TOP_ITEMS = "top_items"
    FOLLOWED_ARTISTS = "followed_artists"
    SAVED_SHOWS = "saved_shows"
    SAVED_EPISODES = "saved_episodes"


SAVED: dict[LibrarySource, tuple[Source, str, str]] = {
    LibrarySource.SAVED_TRACKS: (Source.SAVED_TRACKS, "/me/tracks", "track"),
    LibrarySource.SAVED_ALBUMS: (Source.SAVED_ALBUMS, "/me/albums", "album"),
    LibrarySource.SAVED_SHOWS: (Source.SAVED_SHOWS, "/me/shows", "show"),
    LibrarySource.SAVED_EPISODES: (Source.SAVED_EPISODES, "/me/episodes", "episode"),
}
"""Saved-item listings: raw source, path, and the key of the item in each wrapper."""

SCOPES: dict[LibrarySource, tuple[str, ...]] = {
    LibrarySource.SAVED_TRACKS: ("user-library-read",),
    LibrarySource.SAVED_ALBUMS: ("user-library-read",),
    LibrarySource.SAVED_SHOWS: ("user-library-read",),
    LibrarySource.SAVED_EPISODES: ("user-library-read", "user-read-playback-position"),
    LibrarySource.TOP_ITEMS: ("user-top-read",),
    LibrarySource.FOLLOWED_ARTISTS: ("user-follow-read",),
}
"""Scopes of the user token each library source needs."""
MINE_SCOPES = ("playlist-read-private", "playlist-read-collaborative")


@dataclass(frozen=True)
class LibraryPlan:
    """The library part of a run (from settings, parsed)."""

    sources: tuple[LibrarySource, ...] = ()
    mine: bool = False
    """Extract every playlist of ``/me/playlists`` the user owns or collaborates on."""
    full_every: timedelta = timedelta(days=7)
    """Saved listings are listed in full this often (to see removals); incremental between."""
    max_shows: int = 50
    """Most shows fetched (``GET /shows/{id}``) per run; the rest waits in the journal."""

    @property
    def active(self) -> bool:
        return self.mine or bool(self.sources)


class LibraryConfigError(ValueError):
    """An ``EXTRACTOR_LIBRARY`` value that names no source."""


def parse_library(text: str) -> tuple[LibrarySource, ...]:
    """``saved_tracks,top_items`` or ``all``: the sources, in a stable order, once each."""
    names = [part.strip().lower() for part in text.split(",") if part.strip()]
    if "all" in names:
        return tuple(LibrarySource)
    known = {s.value: s for s in LibrarySource}
    wrong = [n for n in names if n not in known]
    if wrong:
        raise LibraryConfigError(
            f"EXTRACTOR_LIBRARY names {', '.join(map(repr, wrong))}: expected a comma list of "
            f"{', '.join(known)}, or all"
        )
    return tuple(s for s in LibrarySource if s.value in names)


def split_mine(playlists: str) -> tuple[bool, str]:
    """Whether ``EXTRACTOR_PLAYLISTS`` asks for ``mine``, and the other entries."""
    entries = [p for p in playlists.split(",") if p.strip()]
    others = [p for p in entries if p.strip().lower() != MINE]
    return len(others) != len(entries), ",".join(others)


def library_scopes(sources: tuple[LibrarySource, ...], mine: bool) -> list[str]:
    """The scopes the configured library sources need, each once, in a stable order."""
    wanted = [scope for source in sources for scope in SCOPES[source]]
    if mine:
        wanted.extend(MINE_SCOPES)
    return list(dict.fromkeys(wanted))

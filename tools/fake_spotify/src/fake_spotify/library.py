"""The fake user's library: saved tracks, albums, shows and episodes, follows, top items.

Saved lists are kept newest first, the order ``/me/tracks`` and friends answer
in. The library changes between runs the way a real one does:
:meth:`Catalog.save_new_release <fake_spotify.catalog.Catalog.save_new_release>`
saves the tracks of a new album (dated after everything saved so far),
:meth:`Library.unsave` removes saved items, and :meth:`Library.shift_taste`
moves the short-term top artists and tracks. Top
lists and follows are plain id lists in the order the API answers.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta

TIME_RANGES = ("short_term", "medium_term", "long_term")
"""``time_range`` values of ``/me/top/{type}``; ``medium_term`` is the API's default."""
TOP_TYPES = ("artists", "tracks")


@dataclass(frozen=True)
class Saved:
    """One saved item: its id and when the user saved it."""

    id: str
    added_at: datetime


@dataclass
class Library:
    """What the fake user saved, follows and listens to most."""

    tracks: list[Saved] = field(default_factory=list)
    albums: list[Saved] = field(default_factory=list)
    shows: list[Saved] = field(default_factory=list)
    episodes: list[Saved] = field(default_factory=list)
    followed_artists: list[str] = field(default_factory=list)
    """Artist ids in the order ``/me/following`` pages them (by id)."""
    top: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    """(``artists`` or ``tracks``, time range) -> ids, rank 1 first."""

    def saved(self, kind: str) -> list[Saved]:
        """The saved list of ``kind``: ``tracks``, ``albums``, ``shows`` or ``episodes``."""
        lists = {
            "tracks": self.tracks,
            "albums": self.albums,
            "shows": self.shows,
            "episodes": self.episodes,
        }
        return lists[kind]

    def newest(self) -> datetime | None:
        stamps = [s[0].added_at for s in (self.tracks, self.albums, self.shows, self.episodes) if s]
        return max(stamps) if stamps else None

    def save(self, kind: str, ids: list[str], at: datetime) -> None:
        """Save ``ids`` (first one newest), one minute apart ending at ``at``; resaving moves up."""
        items = self.saved(kind)
        known = set(ids)
        kept = [s for s in items if s.id not in known]
        fresh = [Saved(i, at - timedelta(minutes=n)) for n, i in enumerate(ids)]
        items[:] = fresh + kept

    def unsave(self, kind: str, ids: list[str]) -> None:
        gone = set(ids)
        items = self.saved(kind)
        items[:] = [s for s in items if s.id not in gone]

    def shift_taste(self, time_range: str = "short_term", by: int = 3) -> None:
        """Rotate the top lists of one range: some items leave, others enter or move."""
        for kind in TOP_TYPES:
            ids = self.top.get((kind, time_range), [])
            if ids:
                self.top[(kind, time_range)] = ids[by:] + ids[:by][::-1]


def ranked(ids: list[str], salt: str) -> list[str]:
    """``ids`` in a deterministic order that depends on ``salt`` (a fake's taste)."""
    return sorted(ids, key=lambda i: hashlib.sha256(f"{salt}:{i}".encode()).hexdigest())


def build_library(
    track_ids: list[str],
    album_ids: list[str],
    artist_ids: list[str],
    show_ids: list[str],
    episode_ids: list[str],
    *,
    saved_tracks: int,
    saved_albums: int,
    followed: int,
    top_items: int,
    start: datetime,
    salt: str = "",
) -> Library:
    """A library over the given catalogue ids; a pure function of its inputs (``salt``: another
    user's taste, a different choice and order of the same catalogue)."""
    library = Library()
    # saved ``n`` minutes apart, the last one saved (newest) first
    for kind, ids in (
        ("tracks", ranked(track_ids, f"{salt}saved-tracks")[:saved_tracks]),
        ("albums", ranked(album_ids, f"{salt}saved-albums")[:saved_albums]),
        ("shows", show_ids),
        ("episodes", episode_ids[: max(0, len(episode_ids) - 1)]),
    ):
        at = start + timedelta(minutes=len(ids))
        library.save(kind, ids, at)
    library.followed_artists = sorted(ranked(artist_ids, f"{salt}followed")[:followed])
    for time_range in TIME_RANGES:
        top = f"{salt}top-{time_range}"
        library.top[("artists", time_range)] = ranked(artist_ids, top)[:top_items]
        library.top[("tracks", time_range)] = ranked(track_ids, top)[:top_items]
    return library

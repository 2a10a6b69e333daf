"""Deterministic fake catalogue: artists, albums, tracks, episodes, playlists, plays.

Everything is a pure function of :class:`CatalogSpec`; the same spec gives the
same ids, names and snapshot ids on every machine. The data carries the edge
cases the transformer must handle: ``track: null`` items, local files, podcast
episodes, year/month/day release precisions, absent deprecated fields, several
artists per track and non-ASCII names.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from fake_spotify.library import Library, build_library

_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

OWNER_ID = "fake-user"
"""The user the fake's refresh token belongs to: owner of the own playlists."""
OTHER_OWNER_ID = "someone-else"
"""Owner of playlists the user follows but does not own (items answer 403)."""
EDITORIAL_PLAYLIST_ID = "37i9dQZF1DXcBWIGoYBM5M"
"""A Spotify-owned editorial playlist id: answers 404 like the real API does."""

_NAMES = (
    "Midnight Drive",
    "Café del Mar — Ñandú",
    "東京の夜",
    "Ελληνικό καλοκαίρι",
    "Björk's Über Song",
    "Ça plane pour moi",
    "Straße 🚀",
    "Plain Song",
    "Дорога домой",
    "Zoë & Chloë",
)
_PRECISIONS = ("day", "month", "year")
BASE_TIME = datetime(2026, 11, 1, tzinfo=UTC)
_BASE_TIME = BASE_TIME


def spotify_id(kind: str, number: int, seed: int) -> str:
    """A 22-character base62 id, a pure function of its inputs."""
    digest = int.from_bytes(hashlib.sha256(f"{kind}:{number}:{seed}".encode()).digest(), "big")
    chars = []
    for _ in range(22):
        digest, rest = divmod(digest, 62)
        chars.append(_BASE62[rest])
    return "".join(chars)


@dataclass(frozen=True)
class CatalogSpec:
    """What to generate."""

    playlists: int = 3
    """Playlists owned by the fake user."""
    items: int = 120
    """Items per owned playlist."""
    plays: int = 60
    """Recently played entries."""
    seed: int = 1
    saved_tracks: int = 20
    """Tracks in the user's library (``/me/tracks``); more than the playlists hold adds tracks."""
    saved_albums: int = 6
    """Albums in the user's library (``/me/albums``)."""
    followed_artists: int = 12
    """Artists the user follows (``/me/following``)."""
    top_items: int = 30
    """Top artists and top tracks per time range (``/me/top/{type}``)."""


@dataclass(frozen=True)
class Artist:
    id: str
    name: str
    has_deprecated: bool
    """Whether followers, genres and popularity are present."""


@dataclass(frozen=True)
class Album:
    id: str
    name: str
    artist_ids: tuple[str, ...]
    release_date: str
    precision: str
    track_ids: tuple[str, ...]
    label: str


@dataclass(frozen=True)
class Track:
    id: str
    name: str
    album_id: str
    artist_ids: tuple[str, ...]
    duration_ms: int
    explicit: bool
    popularity: int | None
    """None means the deprecated field is absent."""
    isrc: str
    number: int


@dataclass(frozen=True)
class Episode:
    id: str
    name: str
    show_id: str
    duration_ms: int
    release_date: str


@dataclass(frozen=True)
class Show:
    id: str
    name: str
    publisher: str
    episode_ids: tuple[str, ...]


@dataclass(frozen=True)
class Entry:
    """One playlist entry: a track, an episode, a local file or nothing (``track: null``)."""

    kind: str
    """``track``, ``episode``, ``local`` or ``null``."""
    ref: str | None
    """Track or episode id; None for local files and null entries."""
    added_at: datetime
    local_name: str = ""


@dataclass
class Playlist:
    id: str
    name: str
    owner_id: str
    entries: list[Entry]
    version: int = 0
    """Bumped by every change; part of the snapshot id."""
    collaborative: bool = False
    """The user collaborates on it (its items are readable though someone else owns it)."""

    @property
    def snapshot_id(self) -> str:
        """Opaque snapshot id that changes exactly when the contents change."""
        digest = hashlib.sha256(f"{self.id}:{self.version}:{len(self.entries)}".encode())
        return "AAAA" + digest.hexdigest()[:28]


@dataclass(frozen=True)
class Play:
    track_id: str
    played_at: datetime
    context_playlist_id: str | None


@dataclass
class Catalog:
    """The whole fake library."""

    spec: CatalogSpec
    artists: dict[str, Artist] = field(default_factory=dict)
    albums: dict[str, Album] = field(default_factory=dict)
    tracks: dict[str, Track] = field(default_factory=dict)
    episodes: dict[str, Episode] = field(default_factory=dict)
    shows: dict[str, Show] = field(default_factory=dict)
    playlists: dict[str, Playlist] = field(default_factory=dict)
    plays: list[Play] = field(default_factory=list)
    library: Library = field(default_factory=Library)
    owner_id: str = OWNER_ID
    """The user whose playlists, plays and library these are (``/me``'s id)."""
    display_name: str = "Fake User"
    taste: int = 0
    """Shifts which tracks the user plays (another user of a household plays others)."""

    def readable(self, playlist: Playlist) -> bool:
        """Whether the user may read the playlist's items (owner or collaborator)."""
        return playlist.owner_id == self.owner_id or playlist.collaborative

    def save_new_release(self, tracks: int) -> list[str]:
        """A new album of ``tracks`` tracks appears and the user saves every track of it
        (newest first, dated after everything saved so far); returns the new track ids."""
        number = len(self.albums)
        seed = self.spec.seed
        album_id = spotify_id("album", number, seed)
        artist_id = sorted(self.artists)[number % len(self.artists)]
        track_ids = [spotify_id("track", len(self.tracks) + n, seed) for n in range(tracks)]
        self.albums[album_id] = Album(
            album_id,
            f"New Release {number}",
            (artist_id,),
            "2026-12-01",
            "day",
            tuple(track_ids),
            "Label New",
        )
        for n, track_id in enumerate(track_ids, start=1):
            self.tracks[track_id] = Track(
                track_id,
                f"Fresh {number}.{n}",
                album_id,
                (artist_id,),
                200_000 + n,
                False,
                None,
                f"USNW{number:04d}{n:04d}"[:12],
                n,
            )
        newest = self.library.newest() or _BASE_TIME
        self.library.save("tracks", track_ids[::-1], newest + timedelta(hours=1, minutes=tracks))
        return track_ids

    @property
    def own_playlist_ids(self) -> list[str]:
        """Ids of the playlists the fake user owns (their items can be read)."""
        return [p.id for p in self.playlists.values() if p.owner_id == self.owner_id]

    def touch(self, playlist_id: str) -> str:
        """Append one track to a playlist (new snapshot id); returns the new snapshot id."""
        playlist = self.playlists[playlist_id]
        track_id = sorted(self.tracks)[len(playlist.entries) % len(self.tracks)]
        added = _BASE_TIME + timedelta(days=30, minutes=playlist.version)
        playlist.entries.append(Entry("track", track_id, added))
        playlist.version += 1
        return playlist.snapshot_id

    def add_plays(self, count: int) -> None:
        """Append ``count`` plays after the latest one (new listening history)."""
        last = self.plays[-1].played_at if self.plays else _BASE_TIME
        track_ids = sorted(self.tracks)
        own = self.own_playlist_ids
        for n in range(count):
            track_id = track_ids[(len(self.plays) + n + self.taste) % len(track_ids)]
            context = own[0] if own and n % 2 == 0 else None
            self.plays.append(Play(track_id, last + timedelta(minutes=4 * (n + 1)), context))


def _date(rng: random.Random, precision: str) -> str:
    year = rng.randint(1960, 2026)
    if precision == "year":
        return f"{year}"
    if precision == "month":
        return f"{year}-{rng.randint(1, 12):02d}"
    return f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


def build_catalog(spec: CatalogSpec) -> Catalog:
    """The catalogue for ``spec``: same spec, same data."""
    rng = random.Random(spec.seed)
    catalog = Catalog(spec=spec)
    distinct_tracks = max(
        20, min(2000, spec.items * max(1, spec.playlists) // 2), spec.saved_tracks
    )
    n_albums = max(5, distinct_tracks // 8)
    n_artists = max(5, n_albums // 2 + 3)
    for i in range(n_artists):
        artist_id = spotify_id("artist", i, spec.seed)
        name = f"{_NAMES[i % len(_NAMES)]} Artist {i}"
        catalog.artists[artist_id] = Artist(artist_id, name, has_deprecated=i % 3 != 0)
    artist_ids = list(catalog.artists)
    album_tracks: dict[int, list[str]] = {a: [] for a in range(n_albums)}
    for i in range(distinct_tracks):
        album_tracks[i % n_albums].append(spotify_id("track", i, spec.seed))
    for a in range(n_albums):
        album_id = spotify_id("album", a, spec.seed)
        precision = _PRECISIONS[a % 3]
        main_artist = artist_ids[a % n_artists]
        catalog.albums[album_id] = Album(
            id=album_id,
            name=f"{_NAMES[(a + 3) % len(_NAMES)]} Album {a}",
            artist_ids=(main_artist,),
            release_date=_date(rng, precision),
            precision=precision,
            track_ids=tuple(album_tracks[a]),
            label="" if a % 4 == 0 else f"Label {a % 7}",
        )
        for number, track_id in enumerate(album_tracks[a], start=1):
            featured = artist_ids[(a + number) % n_artists]
            artists = (
                (main_artist, featured)
                if number % 3 == 0 and featured != main_artist
                else (main_artist,)
            )
            catalog.tracks[track_id] = Track(
                id=track_id,
                name=f"{_NAMES[(a + number) % len(_NAMES)]} {number}",
                album_id=album_id,
                artist_ids=artists,
                duration_ms=rng.randint(90_000, 420_000),
                explicit=rng.random() < 0.2,
                popularity=None if number % 5 == 0 else rng.randint(0, 100),
                isrc=f"USFK{a:04d}{number:04d}"[:12],
                number=number,
            )
    for e in range(5):
        episode_id = spotify_id("episode", e, spec.seed)
        catalog.episodes[episode_id] = Episode(
            id=episode_id,
            name=f"Episode {e}: {_NAMES[e]}",
            show_id=spotify_id("show", e % 2, spec.seed),
            duration_ms=rng.randint(600_000, 3_600_000),
            release_date=_date(rng, "day"),
        )
    for s in range(2):
        show_id = spotify_id("show", s, spec.seed)
        episodes = tuple(e.id for e in catalog.episodes.values() if e.show_id == show_id)
        catalog.shows[show_id] = Show(show_id, f"Fake Show {s}", "Fake Publisher", episodes)
    track_ids = list(catalog.tracks)
    episode_ids = list(catalog.episodes)
    for p in range(spec.playlists):
        playlist_id = spotify_id("playlist", p, spec.seed)
        entries = []
        for position in range(spec.items):
            added = _BASE_TIME + timedelta(hours=p, minutes=position)
            if p == 0 and position == 3:
                entries.append(Entry("null", None, added))
            elif p == 0 and position == 5:
                entries.append(Entry("local", None, added, local_name="My Demo — Tape 1.mp3"))
            elif position % 17 == 8:
                entries.append(Entry("episode", episode_ids[position % len(episode_ids)], added))
            else:
                track = track_ids[(p * 7 + position) % len(track_ids)]
                entries.append(Entry("track", track, added))
        catalog.playlists[playlist_id] = Playlist(
            playlist_id, f"{_NAMES[p % len(_NAMES)]} Mix {p}", OWNER_ID, entries
        )
    for o in range(2):
        playlist_id = spotify_id("others-playlist", o, spec.seed)
        entries = [
            Entry("track", track_ids[i % len(track_ids)], _BASE_TIME + timedelta(minutes=i))
            for i in range(10)
        ]
        catalog.playlists[playlist_id] = Playlist(
            playlist_id, f"Followed playlist {o}", OTHER_OWNER_ID, entries
        )
    collaborative_id = spotify_id("collaborative-playlist", 0, spec.seed)
    catalog.playlists[collaborative_id] = Playlist(
        collaborative_id,
        "Shared with friends",
        OTHER_OWNER_ID,
        [
            Entry("track", track_ids[(3 * i) % len(track_ids)], _BASE_TIME + timedelta(hours=i))
            for i in range(8)
        ],
        collaborative=True,
    )
    catalog.add_plays(spec.plays)
    catalog.library = build_library(
        track_ids,
        list(catalog.albums),
        list(catalog.artists),
        list(catalog.shows),
        episode_ids,
        saved_tracks=spec.saved_tracks,
        saved_albums=spec.saved_albums,
        followed=spec.followed_artists,
        top_items=spec.top_items,
        start=_BASE_TIME - timedelta(days=400),
    )
    return catalog

"""Random, reproducible playlist-item pages for the benchmarks, rendered by the fake's payloads.

The shape of every JSON body comes from ``fake_spotify.payloads`` (checked against
the reference OpenAPI spec by ``tests/unit/fake_spotify/test_spec_conformance.py``);
this module only draws the data: a random catalogue in the fake's own types
(``fake_spotify.catalog``), and playlist entries mixed at fixed rates: ``track:
null`` items, local files (null ids), podcast episodes, albums released with year
or month precision, tracks without ``popularity``, tracks with several artists,
unicode and JSON-escaped names, and the same track twice in a row in one page.
Full market lists are put back on tracks and albums (the real API sends about 180
codes; the fake sends two), so the pages weigh what real ones do.

:class:`Expected` counts the rows each curated table must hold from what was drawn,
independently of the transformer: the benchmarks check their output against it.
"""

from __future__ import annotations

import random
import string
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from fake_spotify import payloads
from fake_spotify.catalog import Album, Artist, Catalog, CatalogSpec, Entry, Episode, Track

Json = dict[str, Any]
BASE = "https://api.spotify.com/v1"
OWNER_ID = "ana"
MARKETS = [a + b for a in string.ascii_uppercase for b in "ABCDEFGH"][:180]
"""Stand-in market codes, about as many as the real API lists on a track and on its album."""
NULL_RATE, LOCAL_RATE, EPISODE_RATE, REPEAT_RATE = 0.01, 0.01, 0.02, 0.01
"""Share of ``track: null`` items, local files, episodes, and a track repeated in a row."""
_NAMES = (
    "Blue",
    "Night",
    "Dance",
    "Heart",
    "Río",
    "Été",
    "Straße",
    "東京",
    "Ночь",
    "💿 Vinyl",
    "Fire",
    "Rain",
    "Love",
    'Quote "It"',
    "Back\\slash",
)
_B62 = string.ascii_letters + string.digits
_ADDED = datetime(2024, 1, 1, tzinfo=UTC)
ITEM_TYPES = {"track": "track", "episode": "episode", "local": "local", "null": "missing"}
"""The fake's entry kinds and the ``item_type`` the transformer gives each."""


def _id(rng: random.Random) -> str:
    return "".join(rng.choices(_B62, k=22))


def _name(rng: random.Random) -> str:
    return " ".join(rng.choices(_NAMES, k=rng.randint(1, 3)))


def _release(rng: random.Random) -> tuple[str, str]:
    precision = rng.choices(["day", "month", "year"], weights=[90, 5, 5])[0]
    year = rng.randint(1960, 2026)
    date = {
        "day": f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        "month": f"{year}-{rng.randint(1, 12):02d}",
        "year": f"{year}",
    }[precision]
    return date, precision


def random_catalog(rng: random.Random, tracks: int) -> Catalog:
    """About ``tracks`` tracks on ``tracks // 4`` albums by ``tracks // 8`` artists, 5 episodes."""
    catalog = Catalog(spec=CatalogSpec(playlists=0, items=0, plays=0))
    artists = [
        Artist(_id(rng), _name(rng), has_deprecated=True) for _ in range(max(10, tracks // 8))
    ]
    catalog.artists = {a.id: a for a in artists}
    album_count = max(5, tracks // 4)
    album_ids = [_id(rng) for _ in range(album_count)]
    album_artists = [
        tuple(a.id for a in rng.sample(artists, k=rng.choice([1, 1, 1, 2]))) for _ in album_ids
    ]
    on_album: list[list[str]] = [[] for _ in album_ids]
    for _ in range(tracks):
        index = rng.randrange(album_count)
        track_id = _id(rng)
        on_album[index].append(track_id)
        main_artist = album_artists[index][0]
        featured = rng.sample(artists, k=rng.choices([0, 1, 2], weights=[75, 20, 5])[0])
        credits = (main_artist, *(a.id for a in featured if a.id != main_artist))
        catalog.tracks[track_id] = Track(
            id=track_id,
            name=_name(rng),
            album_id=album_ids[index],
            artist_ids=credits,
            duration_ms=rng.randint(60_000, 600_000),
            explicit=rng.random() < 0.2,
            popularity=None if rng.random() < 0.1 else rng.randint(0, 100),
            isrc="US" + "".join(rng.choices(string.ascii_uppercase + string.digits, k=10)),
            number=len(on_album[index]),
        )
    for index, album_id in enumerate(album_ids):
        date, precision = _release(rng)
        catalog.albums[album_id] = Album(
            album_id, _name(rng), album_artists[index], date, precision, tuple(on_album[index]), ""
        )
    for _ in range(5):
        episode_id = _id(rng)
        catalog.episodes[episode_id] = Episode(
            episode_id, _name(rng), "2VRS1IJCTn2Nlkg33ZVfkM", 2_249_560, "2022-05-18"
        )
    return catalog


def random_entries(rng: random.Random, catalog: Catalog, count: int) -> list[Entry]:
    """One page's entries: mostly tracks drawn from the catalogue, the odd cases at their rates."""
    track_ids = list(catalog.tracks)
    episode_ids = list(catalog.episodes)
    entries: list[Entry] = []
    previous: str | None = None
    for position in range(count):
        roll = rng.random()
        added = _ADDED + timedelta(days=rng.randrange(365), minutes=rng.randrange(1440))
        if roll < NULL_RATE:
            entries.append(Entry("null", None, added))
        elif roll < NULL_RATE + LOCAL_RATE:
            entries.append(Entry("local", None, added, local_name=f"My Recording {position}.mp3"))
        elif roll < NULL_RATE + LOCAL_RATE + EPISODE_RATE:
            entries.append(Entry("episode", rng.choice(episode_ids), added))
        else:
            repeat = previous is not None and roll > 1 - REPEAT_RATE
            previous = previous if repeat else rng.choice(track_ids)
            entries.append(Entry("track", previous, added))
    return entries


class Renderer:
    """Playlist-item pages as the API sends them; each track's body is built once and reused."""

    def __init__(self, catalog: Catalog, markets: Sequence[str] | None = MARKETS) -> None:
        """``markets`` go on each track and its album; None keeps the fake's short list."""
        self.catalog = catalog
        self.markets = None if markets is None else list(markets)
        self._tracks: dict[str, Json] = {}

    def _entry(self, entry: Entry, legacy: bool) -> Json:
        if entry.kind != "track" or entry.ref is None:
            return payloads.playlist_entry(BASE, self.catalog, entry, OWNER_ID, legacy=legacy)
        return payloads.playlist_item(
            BASE, self._track(entry.ref), entry.added_at, OWNER_ID, legacy=legacy
        )

    def _track(self, track_id: str) -> Json:
        body = self._tracks.get(track_id)
        if body is None:
            body = payloads.track(BASE, self.catalog, self.catalog.tracks[track_id])
            if self.markets is not None:
                body["available_markets"] = self.markets
                body["album"]["available_markets"] = self.markets
            self._tracks[track_id] = body
        return body

    def page(
        self, playlist_id: str, entries: Sequence[Entry], offset: int, total: int, *, legacy: bool
    ) -> Json:
        """``GET /playlists/{id}/tracks`` (``legacy``: key ``track`` only) or ``/items``."""
        link = f"{BASE}/playlists/{playlist_id}/{'tracks' if legacy else 'items'}"
        limit = len(entries)
        items = [self._entry(e, legacy) for e in entries]
        return payloads.page(
            f"{link}?offset={offset}&limit={limit}", items, offset, limit, total, link
        )


@dataclass
class Expected:
    """Rows the curated tables must hold, counted from the drawn entries, not by the transformer."""

    rows: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys(
            (
                "playlist_items",
                "tracks",
                "albums",
                "artists",
                "track_artists",
                "episodes",
                "shows",
            ),
            0,
        )
    )
    item_types: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys(ITEM_TYPES.values(), 0)
    )

    def add_page(self, catalog: Catalog, entries: Sequence[Entry]) -> None:
        """One raw page: every item, and each track, album, artist, episode and show once
        per page."""
        self.rows["playlist_items"] += len(entries)
        for entry in entries:
            self.item_types[ITEM_TYPES[entry.kind]] += 1
        track_ids = {e.ref for e in entries if e.kind == "track" and e.ref is not None}
        tracks = [catalog.tracks[t] for t in track_ids]
        albums = {t.album_id for t in tracks}
        artists = {a for t in tracks for a in t.artist_ids} | {
            a for album in albums for a in catalog.albums[album].artist_ids
        }
        self.rows["tracks"] += len(tracks)
        self.rows["albums"] += len(albums)
        self.rows["artists"] += len(artists)
        self.rows["track_artists"] += sum(len(t.artist_ids) for t in tracks)
        episode_ids = {e.ref for e in entries if e.kind == "episode" and e.ref is not None}
        self.rows["episodes"] += len(episode_ids)
        self.rows["shows"] += len({catalog.episodes[e].show_id for e in episode_ids})

"""Spotify payloads for the transformer's tests, rendered by the fake's spec-shaped builders.

The shape of every body comes from ``fake_spotify.payloads`` (checked against the
reference OpenAPI spec); these helpers only choose the ids, names and dates a
test names, and let a test swap in its own artists or album.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from fake_spotify import payloads
from fake_spotify.catalog import Album, Artist, Catalog, CatalogSpec, Entry, Episode, Track
from transformer.core import RawObject

EXTRACTED_AT = datetime(2026, 11, 24, 1, 2, 3, tzinfo=UTC)
PLAYLIST_ID = "37pLaYlIsTiD0000000000"
BASE = "https://api.spotify.com/v1"
ADDED_AT = datetime(2022, 5, 20, 14, 10, 29, tzinfo=UTC)
ADDED_BY = "ana"
_MAIN = Artist("art1", "Royal Blood", has_deprecated=False)


def _catalog(*artists: Artist, album: Album | None = None, track: Track | None = None) -> Catalog:
    catalog = Catalog(spec=CatalogSpec(playlists=0, items=0, plays=0))
    catalog.artists = {a.id: a for a in artists}
    if album is not None:
        catalog.albums[album.id] = album
    if track is not None:
        catalog.tracks[track.id] = track
    return catalog


def artist(artist_id: str, name: str) -> dict[str, Any]:
    return payloads.simplified_artist(BASE, Artist(artist_id, name, has_deprecated=False))


def _album(album_id: str, release_date: str, precision: str) -> Album:
    tracks = tuple(f"{album_id}-{n}" for n in range(11))
    return Album(album_id, f"Album {album_id}", (_MAIN.id,), release_date, precision, tracks, "")


def album(
    album_id: str = "alb1",
    release_date: str = "2021-04-30",
    precision: str | None = "day",
    artists: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """A simplified album of 11 tracks; ``precision=None`` leaves the field out."""
    entity = _album(album_id, release_date, precision or "day")
    body = payloads.simplified_album(BASE, _catalog(_MAIN, album=entity), entity)
    if artists is not None:
        body["artists"] = artists
    if precision is None:
        del body["release_date_precision"]
    return body


def track(
    track_id: str = "trk1",
    name: str = "Typhoons",
    artists: list[dict[str, Any]] | None = None,
    popularity: int | None = 58,
    album_body: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A full track; ``popularity=None`` leaves the deprecated field out."""
    entity = Track(
        track_id, name, "alb1", (_MAIN.id,), 236_933, False, popularity, "GBAHT2001121", 3
    )
    catalog = _catalog(_MAIN, album=_album("alb1", "2021-04-30", "day"), track=entity)
    body = payloads.track(BASE, catalog, entity)
    body["available_markets"] = ["GB", "US"]  # the real API's (deprecated) market list
    if album_body is not None:
        body["album"] = album_body
    if artists is not None:
        body["artists"] = artists
    return body


def episode(episode_id: str = "epi1") -> dict[str, Any]:
    entity = Episode(episode_id, "491- The Missing Middle", "show1", 2_249_560, "2022-05-18")
    return payloads.episode(BASE, entity)


def local_track(name: str = "My Recording") -> dict[str, Any]:
    entry = Entry("local", None, ADDED_AT, local_name=name)
    return payloads.local_track(entry, artist="Someone", album="Album", duration_ms=215_000)


def playlist_item(
    body: dict[str, Any] | None, new_shape: bool = False, **extra: Any
) -> dict[str, Any]:
    """A playlist page element: ``track`` only, or (``new_shape``) ``item`` and ``track``."""
    is_local = bool(body and body.get("is_local"))
    item = payloads.playlist_item(
        BASE, body, ADDED_AT, ADDED_BY, is_local=is_local, legacy=not new_shape
    )
    return item | extra


def items_page(
    items: list[dict[str, Any]],
    offset: int = 0,
    endpoint: str = "tracks",
    playlist_id: str = PLAYLIST_ID,
) -> bytes:
    link = f"{BASE}/playlists/{playlist_id}/{endpoint}"
    page = payloads.page(
        f"{link}?offset={offset}&limit=100", items, offset, 100, offset + len(items), link
    )
    return json.dumps(page, ensure_ascii=False).encode()


def raw(
    body: bytes, key: str = "raw/source=playlist_items/p/page=0000.json", **context: Any
) -> RawObject:
    return RawObject(key=key, body=body, extracted_at=EXTRACTED_AT, **context)

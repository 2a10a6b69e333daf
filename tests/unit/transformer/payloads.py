"""Spec-shaped Spotify payload builders (OpenAPI TrackObject, EpisodeObject, paging) for tests."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from transformer.core import RawObject

EXTRACTED_AT = datetime(2026, 11, 24, 1, 2, 3, tzinfo=UTC)
PLAYLIST_ID = "37pLaYlIsTiD0000000000"


def artist(artist_id: str, name: str) -> dict[str, Any]:
    return {
        "external_urls": {"spotify": f"https://open.spotify.com/artist/{artist_id}"},
        "href": f"https://api.spotify.com/v1/artists/{artist_id}",
        "id": artist_id,
        "name": name,
        "type": "artist",
        "uri": f"spotify:artist:{artist_id}",
    }


def album(
    album_id: str = "alb1",
    release_date: str = "2021-04-30",
    precision: str | None = "day",
    artists: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "album_type": "album",
        "artists": artists if artists is not None else [artist("art1", "Royal Blood")],
        "available_markets": ["GB", "US"],
        "external_urls": {"spotify": f"https://open.spotify.com/album/{album_id}"},
        "href": f"https://api.spotify.com/v1/albums/{album_id}",
        "id": album_id,
        "images": [{"height": 640, "url": "https://i.scdn.co/image/x", "width": 640}],
        "name": f"Album {album_id}",
        "release_date": release_date,
        "total_tracks": 11,
        "type": "album",
        "uri": f"spotify:album:{album_id}",
    }
    if precision is not None:
        body["release_date_precision"] = precision
    return body


def track(
    track_id: str = "trk1",
    name: str = "Typhoons",
    artists: list[dict[str, Any]] | None = None,
    popularity: int | None = 58,
    album_body: dict[str, Any] | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "album": album_body if album_body is not None else album(),
        "artists": artists if artists is not None else [artist("art1", "Royal Blood")],
        "available_markets": ["GB", "US"],
        "disc_number": 1,
        "duration_ms": 236933,
        "explicit": False,
        "external_ids": {"isrc": "GBAHT2001121"},
        "external_urls": {"spotify": f"https://open.spotify.com/track/{track_id}"},
        "href": f"https://api.spotify.com/v1/tracks/{track_id}",
        "id": track_id,
        "is_local": False,
        "name": name,
        "track_number": 3,
        "type": "track",
        "uri": f"spotify:track:{track_id}",
    }
    if popularity is not None:
        body["popularity"] = popularity
    return body


def episode(episode_id: str = "epi1") -> dict[str, Any]:
    return {
        "description": "An episode",
        "duration_ms": 2249560,
        "episode": True,
        "explicit": False,
        "external_urls": {"spotify": f"https://open.spotify.com/episode/{episode_id}"},
        "href": f"https://api.spotify.com/v1/episodes/{episode_id}",
        "id": episode_id,
        "name": "491- The Missing Middle",
        "release_date": "2022-05-18",
        "release_date_precision": "day",
        "show": {"id": "show1", "name": "99% Invisible", "type": "show"},
        "type": "episode",
        "uri": f"spotify:episode:{episode_id}",
    }


def local_track(name: str = "My Recording") -> dict[str, Any]:
    return {
        "album": {"album_type": None, "artists": [], "id": None, "name": "", "type": "album"},
        "artists": [{"id": None, "name": "Someone", "type": "artist", "uri": None}],
        "duration_ms": 215000,
        "explicit": False,
        "external_ids": {},
        "external_urls": {},
        "href": None,
        "id": None,
        "is_local": True,
        "name": name,
        "popularity": 0,
        "type": "track",
        "uri": "spotify:local:Someone:Album:My+Recording:215",
    }


def playlist_item(
    body: dict[str, Any] | None, new_shape: bool = False, **extra: Any
) -> dict[str, Any]:
    item: dict[str, Any] = {
        "added_at": "2022-05-20T14:10:29Z",
        "added_by": {"id": "ana", "type": "user", "uri": "spotify:user:ana"},
        "is_local": bool(body and body.get("is_local")),
        "primary_color": None,
        "video_thumbnail": {"url": None},
    }
    if new_shape:
        item["item"] = body
    item["track"] = body
    return item | extra


def items_page(
    items: list[dict[str, Any]],
    offset: int = 0,
    endpoint: str = "tracks",
    playlist_id: str = PLAYLIST_ID,
) -> bytes:
    page = {
        "href": f"https://api.spotify.com/v1/playlists/{playlist_id}/{endpoint}?offset={offset}&limit=100",
        "items": items,
        "limit": 100,
        "next": None,
        "offset": offset,
        "previous": None,
        "total": len(items),
    }
    return json.dumps(page, ensure_ascii=False).encode()


def raw(
    body: bytes, key: str = "raw/source=playlist_items/p/page=0000.json", **context: Any
) -> RawObject:
    return RawObject(key=key, body=body, extracted_at=EXTRACTED_AT, **context)

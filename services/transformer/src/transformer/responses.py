"""Polars read schemas of the Spotify responses the extractor stores.

Only the fields the curated tables need are declared: ``polars.read_json``
skips everything else (markets, images, previews) without building it, which
is what makes parsing fast. Deprecated fields (``popularity``, ``followers``,
``genres``, ``label``) are optional everywhere: absent means null.
"""

from __future__ import annotations

import polars as pl

API_BASE = r"https?://[^/?#\s]+(?:/[^?#\s]*?)?/v1/"
"""Any Web API base in a response's ``href``: ``https://api.spotify.com/v1/``, or a fake's
``http://127.0.0.1:8123/v1/``."""
HREF_END = r"(?:[?#]|$)"
"""Where an ``href``'s path ends: its query, its fragment, or the end."""

_S = pl.String()
_URLS = pl.Struct({"spotify": _S})

ARTIST = pl.Struct({"id": _S, "name": _S, "external_urls": _URLS, "uri": _S})
"""Simplified or full artist object."""

ALBUM = pl.Struct(
    {
        "id": _S,
        "name": _S,
        "album_type": _S,
        "release_date": _S,
        "release_date_precision": _S,
        "total_tracks": pl.Int64(),
        "external_urls": _URLS,
        "uri": _S,
        "artists": pl.List(ARTIST),
    }
)
"""Simplified or full album object (as embedded in a track, or a single GET)."""

TRACK = pl.Struct(
    {
        "id": _S,
        "type": _S,
        "name": _S,
        "uri": _S,
        "is_local": pl.Boolean(),
        "duration_ms": pl.Int64(),
        "explicit": pl.Boolean(),
        "popularity": pl.Int64(),
        "external_ids": pl.Struct({"isrc": _S}),
        "external_urls": _URLS,
        "album": ALBUM,
        "artists": pl.List(ARTIST),
    }
)
"""Track object; an episode fits it too (``type: episode``, no album or artists)."""

SHOW = pl.Struct(
    {
        "id": _S,
        "type": _S,
        "name": _S,
        "publisher": _S,
        "media_type": _S,
        "total_episodes": pl.Int64(),
        "external_urls": _URLS,
        "uri": _S,
    }
)
"""Simplified show object (embedded in an episode, a saved show, or ``GET /shows/{id}``)."""

PLAYABLE = pl.Struct(
    {
        **dict(TRACK.to_schema()),
        "release_date": _S,
        "release_date_precision": _S,
        "show": SHOW,
    }
)
"""What a playlist item holds: a track, or an episode (release date and its show besides)."""

PLAYLIST_ITEM = pl.Struct(
    {
        "added_at": _S,
        "added_by": pl.Struct({"id": _S}),
        "is_local": pl.Boolean(),
        "item": PLAYABLE,
        "track": PLAYABLE,
    }
)
"""One element of a playlist page: 2026 shape (``item``) or legacy (``track``)."""

PLAYLIST_ITEMS_PAGE = pl.Schema({"href": _S, "offset": pl.Int64(), "items": pl.List(PLAYLIST_ITEM)})
"""``GET /playlists/{id}/items`` or ``/tracks`` (also the seed's raw dumps)."""

RECENTLY_PLAYED_PAGE = pl.Schema(
    {
        "href": _S,
        "items": pl.List(
            pl.Struct(
                {
                    "track": TRACK,
                    "played_at": _S,
                    "context": pl.Struct({"type": _S, "uri": _S}),
                }
            )
        ),
    }
)
"""``GET /me/player/recently-played``."""

_TOTAL = pl.Struct({"total": pl.Int64()})
PLAYLIST = pl.Schema(
    {
        "id": _S,
        "type": _S,
        "snapshot_id": _S,
        "name": _S,
        "description": _S,
        "owner": pl.Struct({"id": _S}),
        "public": pl.Boolean(),
        "collaborative": pl.Boolean(),
        "items": _TOTAL,
        "tracks": _TOTAL,
        "external_urls": _URLS,
    }
)
"""``GET /playlists/{id}`` (``items`` in 2026, deprecated ``tracks`` before)."""

SINGLE_TRACK = pl.Schema(dict(TRACK.to_schema()))
"""``GET /tracks/{id}``."""

SINGLE_ALBUM = pl.Schema({**ALBUM.to_schema(), "type": _S})
"""``GET /albums/{id}``."""

SINGLE_ARTIST = pl.Schema({**ARTIST.to_schema(), "type": _S})
"""``GET /artists/{id}``."""

PROBE = pl.Schema({"href": _S, "type": _S})
"""Enough to tell the shapes apart when the fast check does not apply."""

"""JSON bodies of the fake API, shaped like the reference OpenAPI spec (pure functions).

``base`` is the API origin plus ``/v1`` so that ``href`` and ``next`` links point
back at the fake.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fake_spotify.catalog import (
    Album,
    Artist,
    Catalog,
    Entry,
    Episode,
    Play,
    Playlist,
    Show,
    Track,
)

Json = dict[str, Any]
_IMAGE = {"url": "https://i.scdn.co/image/ab67616d0000b273fake", "height": 640, "width": 640}


def _urls(kind: str, entity_id: str) -> Json:
    return {"spotify": f"https://open.spotify.com/{kind}/{entity_id}"}


def simplified_artist(base: str, artist: Artist) -> Json:
    return {
        "external_urls": _urls("artist", artist.id),
        "href": f"{base}/artists/{artist.id}",
        "id": artist.id,
        "name": artist.name,
        "type": "artist",
        "uri": f"spotify:artist:{artist.id}",
    }


def artist(base: str, artist: Artist) -> Json:
    body = simplified_artist(base, artist) | {"images": [_IMAGE]}
    if artist.has_deprecated:
        body |= {
            "followers": {"href": None, "total": 1000 + len(artist.name)},
            "genres": ["indie", "pop"],
            "popularity": 40 + len(artist.name) % 50,
        }
    return body


def _album_base(base: str, catalog: Catalog, album: Album) -> Json:
    return {
        "album_type": "album" if len(album.track_ids) > 3 else "single",
        "total_tracks": len(album.track_ids),
        "available_markets": ["SE", "US"],
        "external_urls": _urls("album", album.id),
        "href": f"{base}/albums/{album.id}",
        "id": album.id,
        "images": [_IMAGE],
        "name": album.name,
        "release_date": album.release_date,
        "release_date_precision": album.precision,
        "type": "album",
        "uri": f"spotify:album:{album.id}",
        "artists": [simplified_artist(base, catalog.artists[a]) for a in album.artist_ids],
    }


def simplified_album(base: str, catalog: Catalog, album: Album) -> Json:
    """An album as embedded in a track: no track list."""
    return _album_base(base, catalog, album)


def _track_common(base: str, catalog: Catalog, track: Track) -> Json:
    return {
        "artists": [simplified_artist(base, catalog.artists[a]) for a in track.artist_ids],
        "disc_number": 1,
        "duration_ms": track.duration_ms,
        "explicit": track.explicit,
        "external_urls": _urls("track", track.id),
        "href": f"{base}/tracks/{track.id}",
        "id": track.id,
        "is_playable": True,
        "name": track.name,
        "track_number": track.number,
        "type": "track",
        "uri": f"spotify:track:{track.id}",
        "is_local": False,
    }


def track(base: str, catalog: Catalog, track: Track) -> Json:
    body = _track_common(base, catalog, track) | {
        "album": _album_base(base, catalog, catalog.albums[track.album_id]),
        "external_ids": {"isrc": track.isrc},
    }
    if track.popularity is not None:
        body["popularity"] = track.popularity
    return body


def album(base: str, catalog: Catalog, album: Album) -> Json:
    items = [_track_common(base, catalog, catalog.tracks[t]) for t in album.track_ids]
    return _album_base(base, catalog, album) | {
        "tracks": {
            "href": f"{base}/albums/{album.id}/tracks?offset=0&limit=50",
            "limit": 50,
            "next": None,
            "offset": 0,
            "previous": None,
            "total": len(items),
            "items": items[:50],
        },
        "copyrights": [{"text": "(P) Fake Records", "type": "P"}],
        "external_ids": {"upc": "000000000000"},
        "genres": [],
        "label": album.label,
        "popularity": 0,
    }


def simplified_episode(base: str, episode: Episode) -> Json:
    return {
        "audio_preview_url": None,
        "description": "A fake episode.",
        "html_description": "<p>A fake episode.</p>",
        "duration_ms": episode.duration_ms,
        "explicit": False,
        "external_urls": _urls("episode", episode.id),
        "href": f"{base}/episodes/{episode.id}",
        "id": episode.id,
        "images": [_IMAGE],
        "is_externally_hosted": False,
        "is_playable": True,
        "languages": ["en"],
        "name": episode.name,
        "release_date": episode.release_date,
        "release_date_precision": "day",
        "type": "episode",
        "uri": f"spotify:episode:{episode.id}",
    }


def simplified_show(base: str, show_id: str, show: Show | None = None) -> Json:
    """A show as embedded in an episode or a saved-show wrapper."""
    return {
        "available_markets": ["SE", "US"],
        "copyrights": [],
        "description": "A fake show.",
        "html_description": "<p>A fake show.</p>",
        "explicit": False,
        "external_urls": _urls("show", show_id),
        "href": f"{base}/shows/{show_id}",
        "id": show_id,
        "images": [_IMAGE],
        "is_externally_hosted": False,
        "languages": ["en"],
        "media_type": "audio",
        "name": show.name if show else "Fake Show",
        "publisher": show.publisher if show else "Fake Publisher",
        "type": "show",
        "uri": f"spotify:show:{show_id}",
        "total_episodes": len(show.episode_ids) if show else 5,
    }


def show(base: str, catalog: Catalog, show: Show) -> Json:
    """``GET /shows/{id}``: the show with its first page of episodes."""
    episodes = [simplified_episode(base, catalog.episodes[e]) for e in show.episode_ids]
    link = f"{base}/shows/{show.id}/episodes"
    return simplified_show(base, show.id, show) | {
        "episodes": page(f"{link}?offset=0&limit=50", episodes[:50], 0, 50, len(episodes), link)
    }


def episode(base: str, episode: Episode, show: Show | None = None) -> Json:
    """``GET /episodes/{id}``: the episode with its show."""
    return simplified_episode(base, episode) | {
        "show": simplified_show(base, episode.show_id, show)
    }


def local_track(entry: Entry, *, artist: str = "", album: str = "", duration_ms: int = 0) -> Json:
    """A local file as Spotify sends it: ids and most links are null.

    Its tags (``artist``, ``album``, length), when the file has them, are only in
    the names and in the ``spotify:local:artist:album:title:seconds`` uri.
    """
    name = entry.local_name.rsplit(".", 1)[0]
    parts = (artist, album, name)
    uri = ":".join(p.replace(" ", "+") for p in parts) + f":{duration_ms // 1000}"
    return {
        "album": {
            "album_type": None,
            "artists": [],
            "available_markets": [],
            "external_urls": {},
            "href": None,
            "id": None,
            "images": [],
            "name": album,
            "release_date": None,
            "release_date_precision": None,
            "type": "album",
            "uri": None,
        },
        "artists": [
            {
                "external_urls": {},
                "href": None,
                "id": None,
                "name": artist,
                "type": "artist",
                "uri": None,
            }
        ],
        "available_markets": [],
        "disc_number": 0,
        "duration_ms": duration_ms,
        "explicit": False,
        "external_ids": {},
        "external_urls": {},
        "href": None,
        "id": None,
        "is_local": True,
        "name": name,
        "popularity": 0,
        "preview_url": None,
        "track_number": 0,
        "type": "track",
        "uri": f"spotify:local:{uri}",
    }


def _user(base: str, user_id: str) -> Json:
    return {
        "external_urls": _urls("user", user_id),
        "href": f"{base}/users/{user_id}",
        "id": user_id,
        "type": "user",
        "uri": f"spotify:user:{user_id}",
    }


def playlist_entry(
    base: str, catalog: Catalog, entry: Entry, owner_id: str, *, legacy: bool
) -> Json:
    """One element of a playlist page: ``item`` (and deprecated ``track``) or ``track`` only."""
    content: Json | None
    if entry.kind == "track" and entry.ref:
        content = track(base, catalog, catalog.tracks[entry.ref])
    elif entry.kind == "episode" and entry.ref:
        found = catalog.episodes[entry.ref]
        content = episode(base, found, catalog.shows.get(found.show_id))
    elif entry.kind == "local":
        content = local_track(entry)
    else:
        content = None
    return playlist_item(
        base, content, entry.added_at, owner_id, is_local=entry.kind == "local", legacy=legacy
    )


def playlist_item(
    base: str,
    content: Json | None,
    added_at: datetime,
    added_by: str,
    *,
    is_local: bool = False,
    legacy: bool = False,
) -> Json:
    """A playlist page element around ``content`` (a track, an episode, a local file or None)."""
    body: Json = {
        "added_at": added_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "added_by": _user(base, added_by),
        "is_local": is_local,
        "track": content,
    }
    if not legacy:
        body["item"] = content
    return body


def page(href: str, items: list[Json], offset: int, limit: int, total: int, link: str) -> Json:
    """A paging object; ``link`` is the URL without offset/limit query."""

    def at(o: int) -> str:
        return f"{link}?offset={o}&limit={limit}"

    return {
        "href": href,
        "limit": limit,
        "next": at(offset + limit) if offset + limit < total else None,
        "offset": offset,
        "previous": at(max(0, offset - limit)) if offset > 0 else None,
        "total": total,
        "items": items,
    }


def playlist(base: str, playlist: Playlist, first_page: Json | None = None) -> Json:
    """Playlist metadata; ``first_page`` (own playlists only) is embedded as ``items``."""
    body: Json = {
        "collaborative": playlist.collaborative,
        "description": f"Fake playlist {playlist.name}",
        "external_urls": _urls("playlist", playlist.id),
        "href": f"{base}/playlists/{playlist.id}",
        "id": playlist.id,
        "images": [_IMAGE],
        "name": playlist.name,
        "owner": _user(base, playlist.owner_id) | {"display_name": playlist.owner_id},
        "public": True,
        "snapshot_id": playlist.snapshot_id,
        "type": "playlist",
        "uri": f"spotify:playlist:{playlist.id}",
        "followers": {"href": None, "total": 3},
    }
    if first_page is not None:
        body["items"] = first_page
    return body


def playlist_summary(base: str, summarised: Playlist) -> Json:
    """A simplified playlist (``/me/playlists``) with references to its items."""
    ref = {"href": f"{base}/playlists/{summarised.id}/items", "total": len(summarised.entries)}
    body = playlist(base, summarised)
    del body["followers"]
    return body | {"items": ref, "tracks": ref}


def play(base: str, catalog: Catalog, entry: Play) -> Json:
    body: Json = {
        "track": track(base, catalog, catalog.tracks[entry.track_id]),
        "played_at": entry.played_at.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
    }
    if entry.context_playlist_id:
        body["context"] = {
            "type": "playlist",
            "href": f"{base}/playlists/{entry.context_playlist_id}",
            "external_urls": _urls("playlist", entry.context_playlist_id),
            "uri": f"spotify:playlist:{entry.context_playlist_id}",
        }
    else:
        body["context"] = None
    return body


def user(base: str, user_id: str, display_name: str = "Fake User") -> Json:
    return _user(base, user_id) | {
        "display_name": display_name,
        "followers": {"href": None, "total": 0},
        "images": [],
    }


def error(status: int, message: str) -> Json:
    return {"error": {"status": status, "message": message}}

"""Routes of the user's library: ``/me/tracks|albums|shows|episodes``, ``/me/top/{type}``,
``/me/following``, and ``/shows/{id}``, ``/episodes/{id}`` (pure: catalogue and query in,
:class:`Reply` out).

Saved lists are offset pages, newest first, ``limit`` at most 50 (default 20).
Top items are offset pages per ``time_range`` (default ``medium_term``) whose
``href`` and ``next`` carry the query as sent. Follows are cursor pages
(``after`` = the last artist id of the previous page) wrapped in
``{"artists": {...}}``. The scope each route needs is checked by the caller
(:data:`SCOPES`).
"""

from __future__ import annotations

import re
from urllib.parse import urlencode

from fake_spotify import payloads
from fake_spotify.catalog import Catalog
from fake_spotify.library import TIME_RANGES, Saved
from fake_spotify.reply import Json, Reply, page_bounds

SCOPES = {
    "/me/tracks": "user-library-read",
    "/me/albums": "user-library-read",
    "/me/shows": "user-library-read",
    "/me/episodes": "user-library-read",
    "/me/top/artists": "user-top-read",
    "/me/top/tracks": "user-top-read",
    "/me/following": "user-follow-read",
}
"""Scope each library route needs (403 without it)."""
_SAVED = {
    "/me/tracks": "tracks",
    "/me/albums": "albums",
    "/me/shows": "shows",
    "/me/episodes": "episodes",
}
_ID = re.compile(r"[0-9A-Za-z]{22}")


def is_library_path(path: str) -> bool:
    return path in SCOPES or bool(re.fullmatch(r"/(shows|episodes)/[^/]+", path))


def route(catalog: Catalog, path: str, query: dict[str, str], base: str) -> Reply:
    """The answer of one library route (scope already checked)."""
    if kind := _SAVED.get(path):
        return _saved_page(catalog, kind, path, query, base)
    if path.startswith("/me/top/"):
        return _top_page(catalog, path.removeprefix("/me/top/"), query, base)
    if path == "/me/following":
        return _following(catalog, query, base)
    kind, _, entity_id = path.strip("/").partition("/")
    if not _ID.fullmatch(entity_id):
        return Reply(400, payloads.error(400, "Invalid base62 id"))
    if kind == "shows" and entity_id in catalog.shows:
        return Reply(200, payloads.show(base, catalog, catalog.shows[entity_id]))
    if kind == "episodes" and entity_id in catalog.episodes:
        episode = catalog.episodes[entity_id]
        return Reply(200, payloads.episode(base, episode, catalog.shows.get(episode.show_id)))
    return Reply(404, payloads.error(404, "Resource not found"))


def _stamp(saved: Saved) -> str:
    return saved.added_at.strftime("%Y-%m-%dT%H:%M:%SZ")


def _wrapper(catalog: Catalog, kind: str, saved: Saved, base: str) -> Json:
    if kind == "tracks":
        content = {"track": payloads.track(base, catalog, catalog.tracks[saved.id])}
    elif kind == "albums":
        content = {"album": payloads.album(base, catalog, catalog.albums[saved.id])}
    elif kind == "shows":
        content = {"show": payloads.simplified_show(base, saved.id, catalog.shows[saved.id])}
    else:
        episode = catalog.episodes[saved.id]
        content = {"episode": payloads.episode(base, episode, catalog.shows.get(episode.show_id))}
    return {"added_at": _stamp(saved)} | content


def _saved_page(catalog: Catalog, kind: str, path: str, query: dict[str, str], base: str) -> Reply:
    bounds = page_bounds(query, 20, 50)
    if isinstance(bounds, Reply):
        return bounds
    limit, offset = bounds
    everything = catalog.library.saved(kind)
    items = [_wrapper(catalog, kind, s, base) for s in everything[offset : offset + limit]]
    link = f"{base}{path}"
    href = f"{link}?offset={offset}&limit={limit}"
    return Reply(200, payloads.page(href, items, offset, limit, len(everything), link))


def _top_page(catalog: Catalog, kind: str, query: dict[str, str], base: str) -> Reply:
    if kind not in ("artists", "tracks"):
        return Reply(404, payloads.error(404, "Service not found"))
    time_range = query.get("time_range", "medium_term")
    if time_range not in TIME_RANGES:
        return Reply(400, payloads.error(400, f"Invalid time range: {time_range}"))
    bounds = page_bounds(query, 20, 50)
    if isinstance(bounds, Reply):
        return bounds
    limit, offset = bounds
    ids = catalog.library.top.get((kind, time_range), [])
    chosen = ids[offset : offset + limit]
    items = (
        [payloads.artist(base, catalog.artists[i]) for i in chosen]
        if kind == "artists"
        else [payloads.track(base, catalog, catalog.tracks[i]) for i in chosen]
    )
    link = f"{base}/me/top/{kind}"

    def at(o: int) -> str:
        given = {"time_range": time_range} if "time_range" in query else {}
        return f"{link}?{urlencode(given | {'limit': limit, 'offset': o})}"

    body = {
        "href": at(offset),
        "limit": limit,
        "next": at(offset + limit) if offset + limit < len(ids) else None,
        "offset": offset,
        "previous": at(max(0, offset - limit)) if offset > 0 else None,
        "total": len(ids),
        "items": items,
    }
    return Reply(200, body)


def _following(catalog: Catalog, query: dict[str, str], base: str) -> Reply:
    if query.get("type") != "artist":
        return Reply(400, payloads.error(400, "Only type=artist is supported"))
    bounds = page_bounds(query, 20, 50)
    if isinstance(bounds, Reply):
        return bounds
    limit, _ = bounds
    ids = catalog.library.followed_artists
    after = query.get("after")
    start = ids.index(after) + 1 if after in ids else 0
    chosen = ids[start : start + limit]
    link = f"{base}/me/following"
    more = start + limit < len(ids)
    last = chosen[-1] if chosen else None
    href_query = {"type": "artist"} | ({"after": after} if after else {}) | {"limit": limit}
    body = {
        "href": f"{link}?{urlencode(href_query)}",
        "limit": limit,
        "next": f"{link}?{urlencode({'type': 'artist', 'after': last, 'limit': limit})}"
        if more and last
        else None,
        "cursors": {"after": last if more else None},
        "total": len(ids),
        "items": [payloads.artist(base, catalog.artists[i]) for i in chosen],
    }
    return Reply(200, {"artists": body})


def change(catalog: Catalog, what: str, query: dict[str, str]) -> Reply:
    """Change the library as a user would between runs (the fake's admin endpoint)."""
    library = catalog.library
    try:
        if what == "new-release":
            saved = catalog.save_new_release(int(query.get("tracks", 1)))
            return Reply(200, {"saved": saved})
        if what == "shift-taste":
            time_range = query.get("time_range", "short_term")
            library.shift_taste(time_range, int(query.get("by", 3)))
            return Reply(200, {"shifted": time_range})
        if what == "unsave":
            ids = [i for i in query.get("ids", "").split(",") if i]
            library.unsave(query.get("kind", "tracks"), ids)
            return Reply(200, {"unsaved": ids})
    except (KeyError, ValueError) as error:
        return Reply(400, payloads.error(400, f"bad library change: {error}"))
    return Reply(404, payloads.error(404, f"unknown library change {what!r}"))

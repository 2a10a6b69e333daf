"""Recognise what a raw object holds from its content, and parse it.

The response's own ``href`` and shape decide, never the key or file name, so
the seed's ``spotify_raw_<timestamp>.json`` dumps and recorded examples parse
the same way as objects the extractor wrote. A page whose body starts with its
``href`` (as Spotify and ``json.dumps`` write them) is parsed once; anything
else is probed for ``href`` and ``type`` first. Every result is checked
against the shape it was parsed as.

Before parsing, ``available_markets`` arrays are cut out of the bytes
(:func:`skip_markets`): no table reads them, and in a page of full track
objects they are close to half of the bytes the JSON parser would otherwise
walk. The cut cannot touch string contents: inside a JSON string the quotes of
``"available_markets":[`` would be escaped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import polars as pl
from spotify_etl_common.sources import Source

from transformer import history, library_shapes, responses
from transformer.truncation import truncation

_API = responses.API_BASE
PLAYLIST_ITEMS_HREF = re.compile(
    _API
    + r"(?:users/[^/]+/)?playlists/(?P<playlist_id>[^/?#]+)/(?:items|tracks)"
    + responses.HREF_END
)
"""Page of a playlist's items: 2026 ``/items``, legacy ``/tracks``, old ``/users/x/`` form."""
RECENTLY_PLAYED_HREF = re.compile(_API + r"me/player/recently-played" + responses.HREF_END)
_MARKETS = re.compile(rb'"available_markets"\s*:\s*\[[^\]]*\]')
_LEADING_HREF = re.compile(rb'\A\s*\{\s*"href"\s*:\s*"(?P<href>[^"\\]*)"')
_PAGE_SCHEMAS = {
    Source.PLAYLIST_ITEMS: responses.PLAYLIST_ITEMS_PAGE,
    Source.RECENTLY_PLAYED: responses.RECENTLY_PLAYED_PAGE,
    **library_shapes.PAGE_SCHEMAS,
}
_ENTITY_SCHEMAS = {
    "playlist": (Source.PLAYLISTS, responses.PLAYLIST),
    "track": (Source.TRACKS, responses.SINGLE_TRACK),
    "album": (Source.ALBUMS, responses.SINGLE_ALBUM),
    "artist": (Source.ARTISTS, responses.SINGLE_ARTIST),
    "show": (Source.SHOWS, library_shapes.SINGLE_SHOW),
    "episode": (Source.EPISODES, library_shapes.SINGLE_EPISODE),
}


class UnreadableObject(Exception):
    """A raw object that cannot be transformed: malformed JSON or an unknown shape."""

    def __init__(self, key: str, problem: str) -> None:
        super().__init__(f"{key}: {problem}")
        self.key = key
        self.problem = problem


@dataclass(frozen=True, slots=True)
class Parsed:
    """A raw object's source and its body as a frame of the source's read schema: one row,
    or one per entity for a several-ids answer."""

    source: Source
    frame: pl.DataFrame


def page_source(href: str | None) -> Source | None:
    """The paginated source an ``href`` belongs to, if any."""
    if href is None:
        return None
    if PLAYLIST_ITEMS_HREF.match(href):
        return Source.PLAYLIST_ITEMS
    if RECENTLY_PLAYED_HREF.match(href):
        return Source.RECENTLY_PLAYED
    for pattern, source in library_shapes.PAGE_HREFS:
        if pattern.match(href):
            return source
    return None


def skip_markets(body: bytes) -> bytes:
    """``body`` with every ``available_markets`` array emptied (nothing reads them)."""
    return _MARKETS.sub(b'"available_markets":[]', body)


def _read(key: str, body: bytes, schema: pl.Schema) -> pl.DataFrame:
    try:
        frame = pl.read_json(body, schema=schema)
    except pl.exceptions.PolarsError as error:
        cut = truncation(body)
        if cut is not None:
            raise UnreadableObject(key, cut) from None
        detail = str(error).split("\n", 1)[0]
        kind = "unexpected JSON shape" if "deserializ" in detail else "malformed JSON"
        raise UnreadableObject(key, f"{kind} ({detail})") from None
    if frame.height != 1:
        raise UnreadableObject(key, f"expected one JSON object, found {frame.height} values")
    return frame


def _wrapped(key: str, body: bytes) -> Parsed | None:
    """A body of one wrapping key: followed artists, a several-ids answer; an error raises."""
    match = library_shapes.WRAPPED.match(body[:512])
    if match is None:
        return None
    wrapper, opening = match.group("key").decode(), match.group("open")
    if wrapper == "error":
        raise UnreadableObject(key, _error_problem(key, body, opening == b'"'))
    if wrapper == "artists" and opening == b"{":
        frame = _read(key, body, library_shapes.FOLLOWED_PAGE)
        if frame.get_column("artists").struct.field("items").null_count():
            raise UnreadableObject(key, "followed artists page without an items list")
        return Parsed(Source.FOLLOWED_ARTISTS, frame)
    if opening != b"[":
        return None
    source, element = library_shapes.SEVERAL[wrapper]
    frame = _read(key, body, pl.Schema({wrapper: pl.List(pl.Struct(element))}))
    # one row per entity; ``null`` for an unknown id becomes a row without an id (dropped later)
    return Parsed(source, frame.explode(wrapper).unnest(wrapper))


def _error_problem(key: str, body: bytes, accounts_form: bool) -> str:
    if accounts_form:  # the accounts service: {"error": "invalid_grant", "error_description"}
        schema = pl.Schema({"error": pl.String(), "error_description": pl.String()})
        error, description = _read(key, body, schema).row(0)
        return f"a Spotify error response (error {error!r}, description {description!r})"
    status, message = (
        _read(key, body, library_shapes.ERROR).get_column("error").struct.unnest().row(0)
    )
    return f"a Spotify error response (status {status}, message {message!r})"


def recognise(key: str, body: bytes) -> Parsed:
    """Parse ``body`` (the raw object at ``key``) as the response shape it holds.

    Raises :class:`UnreadableObject` naming ``key`` for malformed JSON, a JSON
    value that is not an object, or an object of no known shape.
    """
    if not body.strip():
        raise UnreadableObject(key, "empty body")
    if history.is_array(body):  # only the data export's files are arrays
        try:
            return Parsed(Source.STREAMING_HISTORY, history.read_history(body))
        except history.NotHistory as error:
            raise UnreadableObject(key, truncation(body) or error.problem) from None
    body = skip_markets(body)
    leading = _LEADING_HREF.match(body[:512])
    source = page_source(leading.group("href").decode()) if leading else None
    if source is None:
        probe = _read(key, body, responses.PROBE)
        href, kind = probe.row(0)
        source = page_source(href)
        if source is None:
            entity = _ENTITY_SCHEMAS.get(kind or "")
            if entity is None and href is None and kind is None:
                wrapped = _wrapped(key, body)
                if wrapped is not None:
                    return wrapped
            if entity is None:
                raise UnreadableObject(
                    key,
                    f"unknown shape (href {href!r}, type {kind!r}): expected a page of playlist "
                    "items, recently played or the user's library, or a playlist, track, album, "
                    "artist, show or episode object",
                )
            source, schema = entity
            frame = _read(key, body, schema)
            if frame.item(0, "id") is None:
                raise UnreadableObject(key, f"{kind} object without an id")
            return Parsed(source, frame)
    frame = _read(key, body, _PAGE_SCHEMAS[source])
    if frame.get_column("items").null_count():  # height is 1; item() would build Python objects
        raise UnreadableObject(key, f"{source} page without an items list")
    return Parsed(source, frame)

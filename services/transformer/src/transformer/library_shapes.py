"""Shapes of the user's library and of podcasts: ``href`` patterns and Polars read schemas.

A page is known by its own ``href`` (``/me/tracks``, ``/me/top/artists``,
``/shows/{id}/episodes``...); objects without one by their body: a show or an
episode by ``type``, ``{"artists": {...}}`` as a page of followed artists,
``{"albums": [...]}`` and friends as several-ids answers, ``{"error": {...}}``
as a Spotify error. The read schemas reuse the track, album and artist structs
of :mod:`transformer.responses`, so the dimension rows come out the same.
"""

from __future__ import annotations

import re

import polars as pl
from spotify_etl_common.sources import Source

from transformer import responses

_API = responses.API_BASE
_END = responses.HREF_END
_USER = r"(?:me|users/[^/?#]+)"
"""``/me/...``, or the ``/users/{id}/...`` form older answers (and ``/me/playlists``) use."""

PAGE_HREFS: tuple[tuple[re.Pattern[str], Source], ...] = (
    (re.compile(_API + r"me/tracks" + _END), Source.SAVED_TRACKS),
    (re.compile(_API + r"me/albums" + _END), Source.SAVED_ALBUMS),
    (re.compile(_API + r"me/shows" + _END), Source.SAVED_SHOWS),
    (re.compile(_API + r"me/episodes" + _END), Source.SAVED_EPISODES),
    (re.compile(_API + r"me/top/artists" + _END), Source.TOP_ARTISTS),
    (re.compile(_API + r"me/top/tracks" + _END), Source.TOP_TRACKS),
    (re.compile(_API + _USER + r"/playlists" + _END), Source.MY_PLAYLISTS),
    (re.compile(_API + r"shows/[^/?#]+/episodes" + _END), Source.SHOW_EPISODES),
    (re.compile(_API + r"albums/[^/?#]+/tracks" + _END), Source.ALBUM_TRACKS),
    (re.compile(_API + r"artists/[^/?#]+/albums" + _END), Source.ARTIST_ALBUMS),
)
"""Paginated library and catalogue listings by the ``href`` of their pages."""
PARENT_ID = r"/v1/(?:shows|albums|artists)/([^/?#]+)/"
"""The show, album or artist id in the ``href`` of a page of its episodes, tracks or albums."""
TIME_RANGE = r"[?&]time_range=([a-z_]+)"
DEFAULT_TIME_RANGE = "medium_term"
"""What ``/me/top/{type}`` ranks by when the request named no ``time_range``."""

WRAPPED = re.compile(
    rb'\A\s*\{\s*"(?P<key>albums|artists|tracks|episodes|error)"\s*:\s*(?P<open>[\[{"])'
)
"""A body that is one wrapping key: several-ids lists, followed artists, an error."""

_S = pl.String()
_URLS = pl.Struct({"spotify": _S})
_I = pl.Int64()

SHOW = responses.SHOW
"""Simplified show object (embedded in an episode, a saved show, or ``GET /shows/{id}``)."""

EPISODE_FIELDS = {
    "id": _S,
    "type": _S,
    "name": _S,
    "release_date": _S,
    "release_date_precision": _S,
    "duration_ms": _I,
    "explicit": pl.Boolean(),
    "external_urls": _URLS,
    "uri": _S,
}
SIMPLIFIED_EPISODE = pl.Struct(EPISODE_FIELDS)
EPISODE = pl.Struct({**EPISODE_FIELDS, "show": SHOW})
"""Episode object with its show."""

SIMPLIFIED_TRACK = pl.Struct(
    {k: v for k, v in dict(responses.TRACK.to_schema()).items() if k != "album"}
)
"""Track of an album's tracks page (no ``album``)."""
ALBUM_WITH_TRACKS = pl.Struct(
    {
        **dict(responses.ALBUM.to_schema()),
        "tracks": pl.Struct({"items": pl.List(SIMPLIFIED_TRACK)}),
    }
)
"""Full album object: its embedded first page of tracks too."""

_PAGE = {"href": _S, "offset": _I, "total": _I}


def _page(item: pl.DataType) -> pl.Schema:
    return pl.Schema({**_PAGE, "items": pl.List(item)})


def _saved(name: str, item: pl.DataType) -> pl.Schema:
    return _page(pl.Struct({"added_at": _S, name: item}))


SIMPLIFIED_PLAYLIST = pl.Struct(dict(responses.PLAYLIST))

PAGE_SCHEMAS: dict[Source, pl.Schema] = {
    Source.SAVED_TRACKS: _saved("track", responses.TRACK),
    Source.SAVED_ALBUMS: _saved("album", ALBUM_WITH_TRACKS),
    Source.SAVED_SHOWS: _saved("show", SHOW),
    Source.SAVED_EPISODES: _saved("episode", EPISODE),
    Source.TOP_ARTISTS: _page(responses.ARTIST),
    Source.TOP_TRACKS: _page(responses.TRACK),
    Source.MY_PLAYLISTS: _page(SIMPLIFIED_PLAYLIST),
    Source.SHOW_EPISODES: _page(SIMPLIFIED_EPISODE),
    Source.ALBUM_TRACKS: _page(SIMPLIFIED_TRACK),
    Source.ARTIST_ALBUMS: _page(responses.ALBUM),
}
"""Read schema of each paginated source of this module."""

FOLLOWED_PAGE = pl.Schema(
    {"artists": pl.Struct({"href": _S, **_PAGE, "items": pl.List(responses.ARTIST)})}
)
"""``GET /me/following?type=artist``: a cursor page wrapped in ``{"artists": {...}}``."""

SINGLE_SHOW = pl.Schema(
    {**SHOW.to_schema(), "episodes": pl.Struct({"items": pl.List(SIMPLIFIED_EPISODE)})}
)
"""``GET /shows/{id}``: the show and its first page of episodes."""
SINGLE_EPISODE = pl.Schema(dict(EPISODE.to_schema()))
"""``GET /episodes/{id}``."""

SEVERAL: dict[str, tuple[Source, pl.Schema]] = {
    "albums": (Source.ALBUMS, responses.SINGLE_ALBUM),
    "artists": (Source.ARTISTS, responses.SINGLE_ARTIST),
    "tracks": (Source.TRACKS, responses.SINGLE_TRACK),
    "episodes": (Source.EPISODES, SINGLE_EPISODE),
}
"""Several-ids answers (``GET /albums?ids=``...): the source and schema of each element."""

ERROR = pl.Schema({"error": pl.Struct({"status": _I, "message": _S})})
"""``{"error": {"status": 404, "message": "..."}}``: what Spotify answers instead of data."""

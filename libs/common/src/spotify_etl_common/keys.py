"""S3 keys: pure functions of the input, Hive-style so Athena partitions line up.

A replayed or duplicated message computes the same key and overwrites the same
object; nothing here reads a clock or a random source.

::

    raw/source=playlists/user=<uid>/playlist_id=<id>/snapshot_id=<sid>.json
    raw/source=playlist_items/user=<uid>/playlist_id=<id>/snapshot_id=<sid>/page=<nnnn>.json
    raw/source=recently_played/user=<uid>/dt=<yyyy-mm-dd>/after=<ms>.json
    raw/source=albums/album_id=<id>.json      (artists, tracks, shows, episodes the same way)
    raw/source=<library source>/user=<uid>/dt=<yyyy-mm-dd>/run=<run id>[/time_range=<r>]/
        page=<nnnn>.json
    raw/source=streaming_history/user=<uid>/kind=<kind>/month=<yyyy-mm>/<content digest>.json

User-scoped sources (:data:`USER_SCOPED`) carry the Spotify user id of the
person whose data the object is (``user=<uid>``, percent-encoded); keys written
before the household (no ``user=``) stay readable, their user unknown (None).
Shared dimensions (albums, artists, tracks, shows, episodes) carry no user.
    curated/<table>/dt=<yyyy-mm-dd>/<hash of source key>.parquet
    state/extractor/<name>.json
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from urllib.parse import quote, unquote

from spotify_etl_common.sources import Source
from spotify_etl_common.tables import TABLES

RAW_PREFIX = "raw/"
CURATED_PREFIX = "curated/"
STATE_PREFIX = "state/"

# Spotify ids are base62; snapshot ids are opaque but URL-safe base64-ish.
_SAFE = re.compile(r"^[A-Za-z0-9_\-=.]+$")
_PARTITION = re.compile(r"([A-Za-z_]+)=([^/]+)")
_SINGLE_ID_FIELD = {
    Source.ALBUMS: "album_id",
    Source.ARTISTS: "artist_id",
    Source.TRACKS: "track_id",
    Source.SHOWS: "show_id",
    Source.EPISODES: "episode_id",
}
LIBRARY_PAGED = frozenset(
    {
        Source.MY_PLAYLISTS,
        Source.SAVED_TRACKS,
        Source.SAVED_ALBUMS,
        Source.SAVED_SHOWS,
        Source.SAVED_EPISODES,
        Source.TOP_ARTISTS,
        Source.TOP_TRACKS,
        Source.FOLLOWED_ARTISTS,
    }
)
"""Sources of the user's library: listed anew by every run, page by page."""


USER_SCOPED = frozenset(
    {
        Source.PLAYLISTS,
        Source.PLAYLIST_ITEMS,
        Source.RECENTLY_PLAYED,
        Source.STREAMING_HISTORY,
        *LIBRARY_PAGED,
    }
)
"""Sources whose objects belong to one user (``user=<uid>`` in their keys); the rest are
shared dimensions, fetched once however many users reference them."""

USER_FIELD = "user"
"""The key segment naming the user: ``user=<percent-encoded Spotify user id>``."""

_ENTITY_FIELDS = ("playlist_id", *_SINGLE_ID_FIELD.values())
"""Key fields that name the entity a raw object is about (a message's ``entity_id``)."""


def _safe(kind: str, value: str) -> str:
    if not value or not _SAFE.match(value):
        raise ValueError(f"{kind} {value!r} cannot be used in an S3 key (expected [A-Za-z0-9_-=.])")
    return value


def playlist_key(playlist_id: str, snapshot_id: str) -> str:
    """Key of a playlist's metadata response at one snapshot."""
    return (
        f"{source_prefix(Source.PLAYLISTS)}playlist_id={_safe('playlist id', playlist_id)}"
        f"/snapshot_id={_safe('snapshot id', snapshot_id)}.json"
    )


def playlist_items_key(playlist_id: str, snapshot_id: str, page: int) -> str:
    """Key of one page of a playlist's items at one snapshot."""
    if page < 0:
        raise ValueError(f"page must be >= 0, got {page}")
    playlist = _safe("playlist id", playlist_id)
    snapshot = _safe("snapshot id", snapshot_id)
    return (
        f"{source_prefix(Source.PLAYLIST_ITEMS)}playlist_id={playlist}"
        f"/snapshot_id={snapshot}/page={page:04d}.json"
    )


def recently_played_key(after_ms: int) -> str:
    """Key of one recently-played response fetched with cursor ``after``."""
    day = datetime.fromtimestamp(after_ms / 1000, tz=UTC).date().isoformat()
    return f"{source_prefix(Source.RECENTLY_PLAYED)}dt={day}/after={after_ms}.json"


def entity_key(source: Source, entity_id: str) -> str:
    """Key of a single album, artist or track response."""
    field = _SINGLE_ID_FIELD.get(source)
    if field is None:
        raise ValueError(f"{source} is not a single-entity source")
    return f"{source_prefix(source)}{field}={_safe(field, entity_id)}.json"


_MONTH = re.compile(r"^\d{4}-\d{2}$")
_DIGEST = re.compile(r"^[0-9a-f]{16,64}$")


def streaming_history_key(kind: str, month: str, digest: str, user_id: str | None = None) -> str:
    """Key of one bounded chunk of imported streaming history (``spotify-etl import-history``).

    ``kind`` is the export's row format, ``month`` the ``yyyy-mm`` of the plays it
    holds, ``digest`` a hex digest of its (scrubbed, canonical) body: importing the
    same plays again computes the same key. ``user_id``: the user whose export it
    is (``user=<uid>``); None only for a lake without users (no user configured).
    """
    if not _MONTH.match(month):
        raise ValueError(f"month {month!r} must be yyyy-mm")
    if not _DIGEST.match(digest):
        raise ValueError(f"digest {digest!r} must be 16-64 lowercase hex digits")
    prefix = (
        user_prefix(Source.STREAMING_HISTORY, user_id)
        if user_id is not None
        else source_prefix(Source.STREAMING_HISTORY)
    )
    return f"{prefix}kind={_safe('kind', kind)}/month={month}/{digest}.json"


def library_page_key(
    source: Source, run_id: str, day: date, page: int, time_range: str | None = None
) -> str:
    """Key of one page of a library listing (saved items, top items, follows, own playlists)
    made by run ``run_id`` on UTC ``day``; top items name their ``time_range`` too."""
    if source not in LIBRARY_PAGED:
        raise ValueError(f"{source} is not a library source")
    if page < 0:
        raise ValueError(f"page must be >= 0, got {page}")
    ranged = f"/time_range={_safe('time range', time_range)}" if time_range else ""
    return (
        f"{source_prefix(source)}dt={day.isoformat()}/run={_safe('run id', run_id)}"
        f"{ranged}/page={page:04d}.json"
    )


def state_key(name: str) -> str:
    """Key of one extractor state document (cursors, last snapshot ids)."""
    return f"{STATE_PREFIX}extractor/{_safe('state name', name)}.json"


def source_digest(source_key: str) -> str:
    """Short stable digest of a raw key: the curated file name derived from it."""
    return hashlib.sha256(source_key.encode()).hexdigest()[:32]


def curated_key(table: str, day: date, source_key: str) -> str:
    """Key of the Parquet file of ``table`` made from raw object ``source_key``."""
    return (
        f"{CURATED_PREFIX}{_safe('table', table)}/dt={day.isoformat()}/"
        f"{source_digest(source_key)}.parquet"
    )


def source_prefix(source: Source) -> str:
    """Prefix under which every raw object of ``source`` lives (``raw/source=<source>/``)."""
    return f"{RAW_PREFIX}source={source}/"


def user_segment(user_id: str) -> str:
    """The ``user=<uid>/`` key segment of a Spotify user id (any characters, percent-encoded)."""
    if not user_id:
        raise ValueError("a user id cannot be empty")
    return f"{USER_FIELD}={quote(user_id, safe='')}/"


def user_prefix(source: Source, user_id: str) -> str:
    """Prefix of one user's objects of a user-scoped ``source``: ``raw/source=<s>/user=<uid>/``."""
    if source not in USER_SCOPED:
        raise ValueError(f"{source} is a shared dimension: its keys carry no user")
    return f"{source_prefix(source)}{user_segment(user_id)}"


def table_prefix(table: str) -> str:
    """Prefix under which all files of ``table`` live (the Glue table location)."""
    return f"{CURATED_PREFIX}{_safe('table', table)}/"


def partition_values(key: str) -> dict[str, str]:
    """Hive partition values found in a key, in order: ``a=1/b=2`` -> {a: 1, b: 2}."""
    values: dict[str, str] = {}
    for segment in key.split("/")[:-1]:
        match = _PARTITION.fullmatch(segment)
        if match:
            values[match.group(1)] = match.group(2)
    return values


def source_of(key: str) -> Source:
    """The source a raw key belongs to; ``ValueError`` if it is not a raw key."""
    values = partition_values(key)
    if not key.startswith(RAW_PREFIX) or "source" not in values:
        raise ValueError(f"{key!r} is not a raw key (expected raw/source=<source>/...)")
    return Source(values["source"])


@dataclass(frozen=True, slots=True)
class RawKeyParts:
    """What a raw key says about its object (the inverse of the raw key builders)."""

    source: Source
    entity_id: str | None
    snapshot_id: str | None
    page: int | None
    day: date | None
    """The ``dt=`` partition, for sources partitioned by day."""
    user_id: str | None = None
    """The Spotify user id of a user-scoped object; None for dimensions and for keys
    written before the household."""


def _key_values(key: str, suffix: str) -> dict[str, str]:
    """Partition values of every segment, the file name included (without ``suffix``)."""
    values = partition_values(key)
    name = key.rsplit("/", 1)[-1].removesuffix(suffix)
    if "=" in name:
        field, value = name.split("=", 1)
        values[field] = value
    return values


def parse_raw_key(key: str) -> RawKeyParts | None:
    """The parts of a raw object key, or None if the key is not one (e.g. a stray file)."""
    if not key.startswith(RAW_PREFIX) or not key.endswith(".json"):
        return None
    values = _key_values(key, ".json")
    try:
        source = Source(values.get("source", ""))
        page = int(values["page"]) if "page" in values else None
        day = date.fromisoformat(values["dt"]) if "dt" in values else None
    except ValueError:
        return None
    entity = next((values[f] for f in _ENTITY_FIELDS if f in values), None)
    user = unquote(values[USER_FIELD]) if USER_FIELD in values else None
    return RawKeyParts(source, entity, values.get("snapshot_id"), page, day, user)


@dataclass(frozen=True, slots=True)
class CuratedKeyParts:
    """What a curated key says about its file (the inverse of :func:`curated_key`)."""

    table: str
    day: date


def parse_curated_key(key: str) -> CuratedKeyParts | None:
    """Table and day of a curated Parquet key, or None if the key is not one."""
    if not key.startswith(CURATED_PREFIX) or not key.endswith(".parquet"):
        return None
    table = key[len(CURATED_PREFIX) :].split("/", 1)[0]
    values = partition_values(key)
    if table not in TABLES or "dt" not in values:
        return None
    try:
        return CuratedKeyParts(table, date.fromisoformat(values["dt"]))
    except ValueError:
        return None

"""The curated tables: one declaration, read by the transformer and the cataloger.

Column types are logical (``string``, ``bigint``, ``int``, ``boolean``,
``date``, ``timestamp``, ``double``); the transformer maps them to Polars
dtypes, the lake (:mod:`spotify_etl_lake.schema`) to Apache Iceberg types.
Adding a column means bumping the table's ``schema_version``; the cataloger
then evolves the Iceberg schema in place.

Every table ends with the lineage columns (``source_key``, ``extracted_at``)
and is an Iceberg table partitioned by the month of ``extracted_at``
(:data:`BY_EXTRACTION_MONTH`): the partition's source is a column of every
file, as ``add_files`` needs, and one raw object's rows share one
``extracted_at``, so each file lies in exactly one partition. The UTC day of
extraction (``dt``) names the folder of a curated file's key and its message's
partition value; it is not a column (``extracted_at`` holds it).

A household shares one lake: the tables of one user's data (plays, saved
items, top items, followed artists, playlists and their items:
:data:`USER_SCOPED_TABLES`) carry ``user_id``, the Spotify user id the raw
key names (null for rows of keys written before the household), just before
the lineage; the dimensions (tracks, albums, artists, credits, shows,
episodes) are shared and have none. A user-scoped table is partitioned by
``user_id`` first (:data:`BY_USER_AND_EXTRACTION_MONTH`), so one user's rows
are read, compacted and purged apart from the others'.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

LogicalType = Literal["string", "bigint", "int", "boolean", "date", "timestamp", "double"]
PartitionTransform = Literal["identity", "year", "month", "day"]


@dataclass(frozen=True, slots=True)
class Column:
    """One typed, documented column."""

    name: str
    type: LogicalType
    comment: str
    nullable: bool = True


@dataclass(frozen=True, slots=True)
class PartitionField:
    """One field of a table's (hidden) partition spec: a transform of a column."""

    source: str
    """The column the partition value is computed from."""
    transform: PartitionTransform

    @property
    def name(self) -> str:
        """The partition field's name, e.g. ``extracted_at_month``."""
        return self.source if self.transform == "identity" else f"{self.source}_{self.transform}"


BY_EXTRACTION_MONTH = (PartitionField("extracted_at", "month"),)
"""The partitioning of every table: one person's rows are a few MB a year, so a month
keeps partitions near one compacted file each while daily maintenance rewrites only
the current month (see services/cataloger/README.md)."""

BY_USER_AND_EXTRACTION_MONTH = (PartitionField("user_id", "identity"), *BY_EXTRACTION_MONTH)
"""The partitioning of a user-scoped table: the user first, then as every table."""


@dataclass(frozen=True, slots=True)
class Table:
    """One curated table."""

    name: str
    comment: str
    columns: tuple[Column, ...]
    schema_version: int = 1
    partitioning: tuple[PartitionField, ...] = BY_EXTRACTION_MONTH
    user_scoped: bool = False
    """One user's data (a ``user_id`` column); False for the shared dimensions."""

    @property
    def column_names(self) -> tuple[str, ...]:
        """Names of the columns, in order."""
        return tuple(c.name for c in self.columns)


LINEAGE = (
    Column("source_key", "string", "raw S3 key the row was read from", nullable=False),
    Column("extracted_at", "timestamp", "when the raw response was fetched (UTC)", nullable=False),
)


USER_ID = Column(
    "user_id",
    "string",
    "Spotify user id of the person whose data the row is (from the raw key; "
    "null for keys written before the household)",
)
"""The column of every user-scoped table, just before the lineage."""


def _table(name: str, comment: str, *columns: Column, schema_version: int = 1) -> Table:
    return Table(name, comment, (*columns, *LINEAGE), schema_version)


def _user_table(name: str, comment: str, *columns: Column, schema_version: int) -> Table:
    """A user-scoped table: ``user_id`` before the lineage. On Iceberg it is partitioned by
    ``identity(user_id)`` first, then as every table (the month of extraction)."""
    return Table(
        name,
        comment,
        (*columns, USER_ID, *LINEAGE),
        schema_version,
        partitioning=BY_USER_AND_EXTRACTION_MONTH,
        user_scoped=True,
    )


TRACKS = _table(
    "tracks",
    "One row per track seen in a raw object.",
    Column("track_id", "string", "Spotify track id", nullable=False),
    Column("name", "string", "track name"),
    Column("duration_ms", "bigint", "duration in milliseconds"),
    Column("explicit", "boolean", "explicit lyrics"),
    Column("popularity", "int", "0-100; deprecated by Spotify, null when absent"),
    Column("isrc", "string", "International Standard Recording Code"),
    Column("album_id", "string", "Spotify album id"),
    Column("url", "string", "open.spotify.com link"),
    Column("uri", "string", "spotify:track: URI"),
)

ALBUMS = _table(
    "albums",
    "One row per album seen in a raw object.",
    Column("album_id", "string", "Spotify album id", nullable=False),
    Column("name", "string", "album name"),
    Column("album_type", "string", "album, single or compilation"),
    Column("release_date", "date", "first day of the release period"),
    Column("release_date_precision", "string", "year, month or day"),
    Column("release_year", "int", "year of release"),
    Column("total_tracks", "int", "number of tracks on the album"),
    Column("url", "string", "open.spotify.com link"),
    Column("uri", "string", "spotify:album: URI"),
)

ARTISTS = _table(
    "artists",
    "One row per artist seen in a raw object.",
    Column("artist_id", "string", "Spotify artist id", nullable=False),
    Column("name", "string", "artist name"),
    Column("url", "string", "open.spotify.com link"),
    Column("uri", "string", "spotify:artist: URI"),
)

TRACK_ARTISTS = _table(
    "track_artists",
    "Every artist of every track, in credit order.",
    Column("track_id", "string", "Spotify track id", nullable=False),
    Column("artist_id", "string", "Spotify artist id", nullable=False),
    Column("position", "int", "0 for the first credited artist", nullable=False),
)

PLAYLISTS = _user_table(
    "playlists",
    "Playlist metadata, one row per playlist snapshot.",
    Column("playlist_id", "string", "Spotify playlist id", nullable=False),
    Column("snapshot_id", "string", "version of the playlist's contents", nullable=False),
    Column("name", "string", "playlist name"),
    Column("description", "string", "playlist description"),
    Column("owner_id", "string", "user id of the owner"),
    Column("public", "boolean", "public on the owner's profile"),
    Column("collaborative", "boolean", "others may edit"),
    Column("total_items", "int", "number of items at this snapshot"),
    Column("url", "string", "open.spotify.com link"),
    schema_version=2,
)

PLAYLIST_ITEMS = _user_table(
    "playlist_items",
    "Items of a playlist at one snapshot, in playlist order.",
    Column("playlist_id", "string", "Spotify playlist id", nullable=False),
    Column("snapshot_id", "string", "version of the playlist's contents", nullable=False),
    Column("position", "int", "0-based position in the playlist", nullable=False),
    Column("item_type", "string", "track, episode, local or missing (track: null)"),
    Column("track_id", "string", "track or episode id; null for local files"),
    Column("track_uri", "string", "spotify: URI of the item (local files too)"),
    Column("is_local", "boolean", "a local file of the owner"),
    Column("added_at", "timestamp", "when the item was added (UTC)"),
    Column("added_by", "string", "user id who added the item"),
    schema_version=2,
)

PLAYS = _user_table(
    "plays",
    "Plays of the authorised user: recently played fetches and imported data exports.",
    Column("played_at", "timestamp", "when playback ended (UTC)", nullable=False),
    Column("track_id", "string", "Spotify track id; null for episodes and unknown rows"),
    Column("context_type", "string", "album, artist, playlist or show (recently played only)"),
    Column("context_uri", "string", "URI of the context played from (recently played only)"),
    Column("ms_played", "bigint", "milliseconds played (export only; null for recently played)"),
    Column("episode_id", "string", "Spotify episode id of a podcast play (export only)"),
    Column("reason_start", "string", "why playback started, e.g. trackdone, clickrow (export)"),
    Column("reason_end", "string", "why playback ended, e.g. trackdone, fwdbtn (export)"),
    Column("shuffle", "boolean", "shuffle was on (export)"),
    Column("skipped", "boolean", "the user skipped to the next item (export; often null)"),
    Column("offline", "boolean", "played offline (export)"),
    Column("offline_at", "timestamp", "when the offline play happened (UTC, export)"),
    Column("incognito_mode", "boolean", "played in a private session (export)"),
    Column("platform", "string", "device platform as the export names it"),
    Column("conn_country", "string", "country code of the connection (export)"),
    Column("track_name", "string", "track name as the export gives it (rows without ids too)"),
    Column("artist_name", "string", "album artist name as the export gives it"),
    Column("album_name", "string", "album name as the export gives it"),
    Column("episode_name", "string", "podcast episode name as the export gives it"),
    Column("show_name", "string", "podcast show name as the export gives it"),
    Column("origin", "string", "recently_played or export"),
    schema_version=3,
)

_LISTED = (
    Column("position", "int", "0-based position in the listing, newest saved first"),
    Column("total", "int", "size of the whole listing when the page was fetched"),
)
SAVED_TRACKS = _user_table(
    "saved_tracks",
    "Tracks in the user's library, one row per listing page entry (/me/tracks).",
    Column("track_id", "string", "Spotify track id", nullable=False),
    Column("added_at", "timestamp", "when the user saved the track (UTC)"),
    *_LISTED,
    schema_version=2,
)

SAVED_ALBUMS = _user_table(
    "saved_albums",
    "Albums in the user's library, one row per listing page entry (/me/albums).",
    Column("album_id", "string", "Spotify album id", nullable=False),
    Column("added_at", "timestamp", "when the user saved the album (UTC)"),
    *_LISTED,
    schema_version=2,
)

SAVED_SHOWS = _user_table(
    "saved_shows",
    "Podcasts the user follows, one row per listing page entry (/me/shows).",
    Column("show_id", "string", "Spotify show id", nullable=False),
    Column("added_at", "timestamp", "when the user saved the show (UTC)"),
    *_LISTED,
    schema_version=2,
)

SAVED_EPISODES = _user_table(
    "saved_episodes",
    "Episodes the user saved, one row per listing page entry (/me/episodes).",
    Column("episode_id", "string", "Spotify episode id", nullable=False),
    Column("added_at", "timestamp", "when the user saved the episode (UTC)"),
    *_LISTED,
    schema_version=2,
)

TOP_ITEMS = _user_table(
    "top_items",
    "The user's top artists and tracks per time range, one row per item of a snapshot.",
    Column("item_type", "string", "artist or track", nullable=False),
    Column("time_range", "string", "short_term, medium_term or long_term", nullable=False),
    Column("rank", "int", "1 for the top item (page offset + index + 1)", nullable=False),
    Column("item_id", "string", "Spotify artist or track id", nullable=False),
    Column("total", "int", "items in the whole ranking when the page was fetched"),
    schema_version=2,
)

FOLLOWED_ARTISTS = _user_table(
    "followed_artists",
    "Artists the user follows, one row per artist of a snapshot (/me/following).",
    Column("artist_id", "string", "Spotify artist id", nullable=False),
    Column("total", "int", "artists followed when the page was fetched"),
    schema_version=2,
)

SHOWS = _table(
    "shows",
    "One row per podcast show seen in a raw object.",
    Column("show_id", "string", "Spotify show id", nullable=False),
    Column("name", "string", "show name"),
    Column("publisher", "string", "show publisher"),
    Column("media_type", "string", "audio or mixed"),
    Column("total_episodes", "int", "episodes of the show"),
    Column("url", "string", "open.spotify.com link"),
    Column("uri", "string", "spotify:show: URI"),
)

EPISODES = _table(
    "episodes",
    "One row per podcast episode seen in a raw object.",
    Column("episode_id", "string", "Spotify episode id", nullable=False),
    Column("show_id", "string", "Spotify show id (null when the object does not say)"),
    Column("name", "string", "episode name"),
    Column("release_date", "date", "first day of the release period"),
    Column("release_date_precision", "string", "year, month or day"),
    Column("duration_ms", "bigint", "duration in milliseconds"),
    Column("explicit", "boolean", "explicit content"),
    Column("url", "string", "open.spotify.com link"),
    Column("uri", "string", "spotify:episode: URI"),
)

TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        TRACKS,
        ALBUMS,
        ARTISTS,
        TRACK_ARTISTS,
        PLAYLISTS,
        PLAYLIST_ITEMS,
        PLAYS,
        SAVED_TRACKS,
        SAVED_ALBUMS,
        SAVED_SHOWS,
        SAVED_EPISODES,
        TOP_ITEMS,
        FOLLOWED_ARTISTS,
        SHOWS,
        EPISODES,
    )
}
"""Every curated table by name."""

USER_SCOPED_TABLES = frozenset(name for name, table in TABLES.items() if table.user_scoped)
"""Tables of one user's data (a ``user_id`` column); the others are shared dimensions."""

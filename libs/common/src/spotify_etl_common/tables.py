"""The curated tables: one declaration, read by the transformer and the cataloger.

Column types are logical (``string``, ``bigint``, ``int``, ``boolean``,
``date``, ``timestamp``, ``double``); the transformer maps them to Polars
dtypes, the cataloger to Glue/Hive types. Adding a column means bumping the
table's ``schema_version``; the cataloger then updates the Glue table in place.
Every table ends with the lineage columns and is partitioned by ``dt``, the
UTC day of extraction.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

LogicalType = Literal["string", "bigint", "int", "boolean", "date", "timestamp", "double"]


@dataclass(frozen=True, slots=True)
class Column:
    """One typed, documented column."""

    name: str
    type: LogicalType
    comment: str
    nullable: bool = True


@dataclass(frozen=True, slots=True)
class Table:
    """One curated table."""

    name: str
    comment: str
    columns: tuple[Column, ...]
    schema_version: int = 1
    partition_keys: tuple[Column, ...] = (
        Column("dt", "string", "UTC day of extraction, yyyy-mm-dd", nullable=False),
    )

    @property
    def column_names(self) -> tuple[str, ...]:
        """Names of the data columns, in order (partition keys excluded)."""
        return tuple(c.name for c in self.columns)


LINEAGE = (
    Column("source_key", "string", "raw S3 key the row was read from", nullable=False),
    Column("extracted_at", "timestamp", "when the raw response was fetched (UTC)", nullable=False),
)


def _table(name: str, comment: str, *columns: Column, schema_version: int = 1) -> Table:
    return Table(name, comment, (*columns, *LINEAGE), schema_version)


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

PLAYLISTS = _table(
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
)

PLAYLIST_ITEMS = _table(
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
)

PLAYS = _table(
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
    schema_version=2,
)

TABLES: dict[str, Table] = {
    t.name: t for t in (TRACKS, ALBUMS, ARTISTS, TRACK_ARTISTS, PLAYLISTS, PLAYLIST_ITEMS, PLAYS)
}
"""Every curated table by name."""

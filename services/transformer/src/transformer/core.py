"""The pure core: raw response bytes in, curated Polars frames out (no I/O).

:func:`transform` takes any number of raw objects (one for the queue worker,
a batch of files for ``transform-files``), recognises each from its content,
and returns one frame per curated table holding the rows of all of them, each
row carrying its lineage (``source_key``, ``extracted_at``), and each row of
a user-scoped table the ``user_id`` of its object (:attr:`RawObject.user_id`;
the shared dimensions have none). Frames are conformed to
:mod:`spotify_etl_common.tables`: declared columns, order, dtypes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import polars as pl
from spotify_etl_common.keys import parse_raw_key
from spotify_etl_common.source_tables import TABLES_OF
from spotify_etl_common.sources import Source
from spotify_etl_common.tables import USER_SCOPED_TABLES

from transformer import entities, history, library
from transformer.recognise import PLAYLIST_ITEMS_HREF, Parsed, recognise
from transformer.schemas import conform, empty

UNKNOWN_SNAPSHOT = "unknown"
"""snapshot_id of playlist items whose snapshot is known neither from the message nor the key
(e.g. the seed's raw dumps)."""


_UTC = pl.Datetime("us", "UTC")


@dataclass(frozen=True, slots=True)
class RawObject:
    """One raw response and what is known about it besides its bytes."""

    key: str
    """Raw S3 key (or local path): lineage, and the name of the curated files."""
    body: bytes
    extracted_at: datetime
    """When the response was fetched (aware)."""
    playlist_id: str | None = None
    snapshot_id: str | None = None
    user_id: str | None = None
    """Spotify user id whose data the object is (:func:`user_of` its key); None for a shared
    dimension and for a key written before the household."""


def user_of(key: str) -> str | None:
    """The user a raw key names (``user=<uid>``), None if it names none or is no raw key."""
    parts = parse_raw_key(key)
    return parts.user_id if parts is not None else None


@dataclass(frozen=True, slots=True)
class Transformed:
    """Rows of every table for a set of raw objects, and what each object was."""

    tables: dict[str, pl.DataFrame]
    sources: dict[str, Source]
    """Source recognised for each raw key."""


def _playlist_items(pages: pl.DataFrame) -> dict[str, pl.DataFrame]:
    rows = (
        pages.filter(pl.col("items").list.len() > 0)
        .with_columns(
            pl.coalesce(
                "ctx_playlist_id", pl.col("href").str.extract(PLAYLIST_ITEMS_HREF.pattern, 1)
            ).alias("playlist_id"),
            pl.col("ctx_snapshot_id").fill_null(UNKNOWN_SNAPSHOT).alias("snapshot_id"),
            pl.int_ranges(0, pl.col("items").list.len()).alias("index"),
        )
        .explode(["items", "index"])
        .unnest("items")
        .with_columns(pl.coalesce("item", "track").alias("entity"))
    )
    entity = pl.col("entity").struct
    local = pl.col("is_local").fill_null(False) | entity.field("is_local").fill_null(False)
    item_type = (
        pl.when(pl.col("entity").is_null())
        .then(pl.lit("missing"))
        .when(local)
        .then(pl.lit("local"))
        .otherwise(entity.field("type").fill_null("track"))
    )
    items = rows.select(
        "playlist_id",
        "snapshot_id",
        (pl.col("offset").fill_null(0) + pl.col("index")).alias("position"),
        item_type.alias("item_type"),
        pl.when(local).then(None).otherwise(entity.field("id")).alias("track_id"),
        entity.field("uri").alias("track_uri"),
        local.alias("is_local"),
        entities.timestamp(pl.col("added_at")).alias("added_at"),
        pl.col("added_by").struct.field("id").alias("added_by"),
        *entities.LINEAGE,
    )
    episodes = rows.filter((entity.field("type") == "episode") & ~local).select(
        *entities.LINEAGE, "entity"
    )
    return {
        "playlist_items": items,
        **entities.dimension_tables(rows),
        **library.episodes_and_shows(episodes, "entity"),
    }


def _recently_played(pages: pl.DataFrame) -> dict[str, pl.DataFrame]:
    rows = (
        pages.filter(pl.col("items").list.len() > 0)
        .explode("items")
        .unnest("items")
        .rename({"track": "entity"})
    )
    plays = rows.select(
        entities.timestamp(pl.col("played_at")).alias("played_at"),
        pl.col("entity").struct.field("id").alias("track_id"),
        pl.col("context").struct.field("type").alias("context_type"),
        pl.col("context").struct.field("uri").alias("context_uri"),
        *history.recently_played_columns(),
        *entities.LINEAGE,
    )
    return {"plays": plays, **entities.dimension_tables(rows)}


def _tracks(objects: pl.DataFrame) -> dict[str, pl.DataFrame]:
    return entities.dimension_tables(entities.as_struct(objects, "entity"))


def _albums(objects: pl.DataFrame) -> dict[str, pl.DataFrame]:
    albums = entities.as_struct(objects, "album", "type")
    artists = entities.credited_artists(albums, pl.col("album").struct.field("artists"))
    return {"albums": entities.album_rows(albums), "artists": entities.artist_rows(artists)}


def _artists(objects: pl.DataFrame) -> dict[str, pl.DataFrame]:
    return {"artists": entities.artist_rows(entities.as_struct(objects, "artist", "type"))}


def _playlists(objects: pl.DataFrame) -> dict[str, pl.DataFrame]:
    total = pl.coalesce(
        pl.col("items").struct.field("total"), pl.col("tracks").struct.field("total")
    )
    rows = objects.select(
        pl.col("id").alias("playlist_id"),
        pl.coalesce("snapshot_id", "ctx_snapshot_id")
        .fill_null(UNKNOWN_SNAPSHOT)
        .alias("snapshot_id"),
        "name",
        "description",
        pl.col("owner").struct.field("id").alias("owner_id"),
        "public",
        "collaborative",
        total.alias("total_items"),
        pl.col("external_urls").struct.field("spotify").alias("url"),
        *entities.LINEAGE,
    )
    return {"playlists": rows}


_BUILDERS: Mapping[Source, Callable[[pl.DataFrame], dict[str, pl.DataFrame]]] = {
    Source.PLAYLIST_ITEMS: _playlist_items,
    Source.RECENTLY_PLAYED: _recently_played,
    Source.TRACKS: _tracks,
    Source.ALBUMS: _albums,
    Source.ARTISTS: _artists,
    Source.PLAYLISTS: _playlists,
    Source.STREAMING_HISTORY: history.plays_table,
    **library.BUILDERS,
}


def _with_context(objects: Sequence[RawObject], parsed: Sequence[Parsed]) -> pl.DataFrame:
    """The one-row frames of ``parsed`` stacked, each with its object's lineage and context."""
    heights = [p.frame.height for p in parsed]
    if any(h != 1 for h in heights):  # several-ids answers: one row per entity
        objects = [o for o, height in zip(objects, heights, strict=True) for _ in range(height)]
    return pl.concat([p.frame for p in parsed], how="vertical").with_columns(
        pl.Series("source_key", [o.key for o in objects], pl.String),
        pl.Series("extracted_at", [o.extracted_at.astimezone(UTC) for o in objects], _UTC),
        pl.Series("ctx_playlist_id", [o.playlist_id for o in objects], pl.String),
        pl.Series("ctx_snapshot_id", [o.snapshot_id for o in objects], pl.String),
    )


def _with_user(frame: pl.DataFrame, users: Mapping[str, str | None]) -> pl.DataFrame:
    """A user-scoped table's rows with the ``user_id`` of the object each came from."""
    distinct = set(users.values())
    if len(distinct) == 1:  # the usual case: one object, or a batch of one user's
        return frame.with_columns(pl.lit(distinct.pop(), pl.String).alias("user_id"))
    return frame.with_columns(
        pl.col("source_key").replace_strict(users, return_dtype=pl.String).alias("user_id")
    )


def transform(objects: Sequence[RawObject]) -> Transformed:
    """Every curated row of ``objects``; raises ``UnreadableObject`` for the first bad one."""
    by_source: dict[Source, tuple[list[RawObject], list[Parsed]]] = {}
    sources: dict[str, Source] = {}
    for raw in objects:
        parsed = recognise(raw.key, raw.body)
        sources[raw.key] = parsed.source
        group = by_source.setdefault(parsed.source, ([], []))
        group[0].append(raw)
        group[1].append(parsed)
    parts: dict[str, list[pl.DataFrame]] = {}
    for source, (raws, parsed_objects) in by_source.items():
        users = {raw.key: raw.user_id for raw in raws}
        for table, frame in _BUILDERS[source](_with_context(raws, parsed_objects)).items():
            if table in USER_SCOPED_TABLES:
                frame = _with_user(frame, users)
            parts.setdefault(table, []).append(conform(table, frame))
    tables = {
        table: pl.concat(frames, how="vertical") if len(frames) > 1 else frames[0]
        for table, frames in parts.items()
    }
    for source in by_source:
        for table in TABLES_OF[source]:
            tables.setdefault(table, empty(table))
    return Transformed(tables, sources)

"""Dimension rows from embedded Spotify objects: tracks, albums, artists, credits.

Each function takes a frame with the lineage columns (``source_key``,
``extracted_at``) and one struct column of a Spotify object, and returns rows
of a curated table, one per entity per raw object (duplicates within an object
collapse to the first occurrence). Local files (null ids) and episodes never
become tracks; every credited artist of a track is kept, in credit order.
"""

from __future__ import annotations

import polars as pl

LINEAGE = ("source_key", "extracted_at")
_KEY = ["source_key", "id"]
CONTEXT = ("ctx_playlist_id", "ctx_snapshot_id")
"""The raw object's context the core stacks beside its lineage (from Hive partitions)."""


def as_struct(frame: pl.DataFrame, name: str, *exclude: str) -> pl.DataFrame:
    """Lineage, and each row's other columns (less ``exclude`` and the context) as one struct
    column ``name``: a stacked object frame in the shape the row builders take."""
    return frame.select(
        *LINEAGE, pl.struct(pl.all().exclude(*exclude, *LINEAGE, *CONTEXT)).alias(name)
    )


def nested(column: str, *path: str) -> pl.Expr:
    """The field at ``path`` inside the struct column ``column``."""
    expr = pl.col(column)
    for name in path:
        expr = expr.struct.field(name)
    return expr


def distinct_objects(
    frame: pl.DataFrame, column: str, name: str, id_name: str, *extra: pl.Expr
) -> pl.DataFrame:
    """Lineage, the objects of ``frame[column]`` as ``name``, their ids as ``id_name`` (and
    ``extra``): null ids dropped, each id once per raw object (its first occurrence)."""
    return (
        frame.select(
            *LINEAGE, pl.col(column).alias(name), nested(column, "id").alias(id_name), *extra
        )
        .filter(pl.col(id_name).is_not_null())
        .unique(subset=["source_key", id_name], keep="first", maintain_order=True)
    )


def playable_tracks(frame: pl.DataFrame, column: str = "entity") -> pl.DataFrame:
    """Track objects of ``frame[column]`` that are real catalogue tracks, once per raw object."""
    entity = pl.col(column).struct
    playable = (
        entity.field("id").is_not_null()
        & (entity.field("type").fill_null("track") == "track")
        & ~entity.field("is_local").fill_null(False)
    )
    # Select before filtering: ``frame`` may carry other large struct columns.
    return (
        frame.select(
            *LINEAGE,
            pl.col(column).alias("track"),
            entity.field("id").alias("id"),
            playable.alias("_playable"),
        )
        .filter(pl.col("_playable"))
        .drop("_playable")
        .unique(subset=_KEY, keep="first", maintain_order=True)
    )


def track_rows(tracks: pl.DataFrame) -> pl.DataFrame:
    """``tracks`` rows from :func:`playable_tracks` output."""
    t = pl.col("track").struct
    return tracks.select(
        pl.col("id").alias("track_id"),
        t.field("name").alias("name"),
        t.field("duration_ms").alias("duration_ms"),
        t.field("explicit").alias("explicit"),
        t.field("popularity").alias("popularity"),
        nested("track", "external_ids", "isrc").alias("isrc"),
        nested("track", "album", "id").alias("album_id"),
        nested("track", "external_urls", "spotify").alias("url"),
        t.field("uri").alias("uri"),
        *LINEAGE,
    )


def track_artist_rows(tracks: pl.DataFrame) -> pl.DataFrame:
    """``track_artists`` rows: every credited artist of each track, position 0 first."""
    artists = nested("track", "artists")
    return (
        tracks.select(
            pl.col("id").alias("track_id"),
            artists.alias("artist"),
            pl.int_ranges(0, artists.list.len()).alias("position"),
            *LINEAGE,
        )
        .explode(["artist", "position"])
        .select(
            "track_id",
            nested("artist", "id").alias("artist_id"),
            "position",
            *LINEAGE,
        )
        .filter(pl.col("artist_id").is_not_null())
    )


def album_rows(frame: pl.DataFrame, column: str = "album") -> pl.DataFrame:
    """``albums`` rows from album objects; release dates of year or month precision
    become the first day of the period, with the precision kept beside them.
    Unknown dates (``0000``) and impossible ones become null."""
    first_day, precision, year = release_date(
        nested("album", "release_date"), nested("album", "release_date_precision")
    )
    return distinct_objects(frame, column, "album", "album_id").select(
        "album_id",
        nested("album", "name").alias("name"),
        nested("album", "album_type").alias("album_type"),
        first_day.alias("release_date"),
        precision.alias("release_date_precision"),
        year.alias("release_year"),
        nested("album", "total_tracks").alias("total_tracks"),
        nested("album", "external_urls", "spotify").alias("url"),
        nested("album", "uri").alias("uri"),
        *LINEAGE,
    )


def release_date(raw_date: pl.Expr, given: pl.Expr) -> tuple[pl.Expr, pl.Expr, pl.Expr]:
    """First day of the release period, its precision, and the year, from a release date
    of ``year``, ``month`` or ``day`` precision (the precision guessed from the length when
    absent). Unknown dates (``0000``) and impossible ones become null."""
    precision = pl.coalesce(
        given,
        pl.when(raw_date.str.len_chars() == 4)
        .then(pl.lit("year"))
        .when(raw_date.str.len_chars() == 7)
        .then(pl.lit("month"))
        .when(raw_date.is_not_null())
        .then(pl.lit("day")),
    )
    year = raw_date.str.slice(0, 4).cast(pl.Int32, strict=False)
    known_year = year.is_not_null() & (year > 0)  # Spotify sends "0000" for unknown dates
    first_day = (
        pl.when(~known_year)
        .then(None)
        .when(precision == "year")
        .then(raw_date.str.slice(0, 4) + "-01-01")
        .when(precision == "month")
        .then(raw_date.str.slice(0, 7) + "-01")
        .otherwise(raw_date)
    )
    return (
        first_day.str.to_date("%Y-%m-%d", strict=False),
        precision,
        pl.when(known_year).then(year),
    )


def timestamp(expr: pl.Expr) -> pl.Expr:
    """ISO-8601 strings to UTC: ``2022-05-20T12:35:56Z`` (Spotify's form, fraction optional),
    or with an explicit offset such as ``+02:00``; anything else becomes null.
    (``%#z`` reads ``Z`` and offsets in one pass.)"""
    return expr.str.to_datetime(
        "%Y-%m-%dT%H:%M:%S%.f%#z", time_unit="us", time_zone="UTC", strict=False
    )


def artist_rows(frame: pl.DataFrame, column: str = "artist") -> pl.DataFrame:
    """``artists`` rows from artist objects (null ids dropped)."""
    return distinct_objects(frame, column, "artist", "artist_id").select(
        "artist_id",
        nested("artist", "name").alias("name"),
        nested("artist", "external_urls", "spotify").alias("url"),
        nested("artist", "uri").alias("uri"),
        *LINEAGE,
    )


def credited_artists(frame: pl.DataFrame, *lists: pl.Expr) -> pl.DataFrame:
    """One row per artist object found in the ``lists`` expressions (lists of artists)."""
    parts = [frame.select(*LINEAGE, expr.alias("artist")).explode("artist") for expr in lists]
    return pl.concat(parts, how="vertical")


def dimension_tables(frame: pl.DataFrame, column: str = "entity") -> dict[str, pl.DataFrame]:
    """``tracks``, ``albums``, ``artists`` and ``track_artists`` from track objects."""
    tracks = playable_tracks(frame, column)
    albums = tracks.select(*LINEAGE, nested("track", "album").alias("album"))
    artists = credited_artists(
        tracks, nested("track", "artists"), nested("track", "album", "artists")
    )
    return {
        "tracks": track_rows(tracks),
        "albums": album_rows(albums),
        "artists": artist_rows(artists),
        "track_artists": track_artist_rows(tracks),
    }

"""Rows of the user's library and of podcasts, from parsed pages and objects (pure).

Each builder takes the stacked frames of one source (one row per raw object,
with lineage) and returns its tables: the fact rows (``saved_tracks``,
``top_items``, ``followed_artists``...) and the dimension rows of every track,
album, artist, show and episode they embed. Positions and ranks come from the
page itself: ``offset`` + index (a top item's rank is that + 1), and a top
page's ``time_range`` from its ``href`` (``medium_term`` when the request named
none, as the API does).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import polars as pl
from spotify_etl_common.sources import Source

from transformer import entities
from transformer.entities import nested
from transformer.library_shapes import DEFAULT_TIME_RANGE, PARENT_ID, TIME_RANGE

LINEAGE = entities.LINEAGE


def _items(pages: pl.DataFrame) -> pl.DataFrame:
    """One row per page item: lineage, the page's ``href``/``total``, the item's ``position``."""
    return (
        pages.filter(pl.col("items").list.len() > 0)
        .with_columns(
            (pl.col("offset").fill_null(0) + pl.int_ranges(0, pl.col("items").list.len())).alias(
                "position"
            )
        )
        .explode(["items", "position"])
        .select(*LINEAGE, "href", "total", "position", pl.col("items").alias("item"))
    )


def _saved(rows: pl.DataFrame, wrapped: str, id_name: str) -> pl.DataFrame:
    return rows.select(
        nested("item", wrapped, "id").alias(id_name),
        entities.timestamp(nested("item", "added_at")).alias("added_at"),
        "position",
        "total",
        *LINEAGE,
    ).filter(pl.col(id_name).is_not_null())


def show_rows(frame: pl.DataFrame, column: str = "show") -> pl.DataFrame:
    """``shows`` rows from show objects (null ids dropped, once per raw object)."""
    return entities.distinct_objects(frame, column, "show", "show_id").select(
        "show_id",
        nested("show", "name").alias("name"),
        nested("show", "publisher").alias("publisher"),
        nested("show", "media_type").alias("media_type"),
        nested("show", "total_episodes").alias("total_episodes"),
        nested("show", "external_urls", "spotify").alias("url"),
        nested("show", "uri").alias("uri"),
        *LINEAGE,
    )


def episode_rows(frame: pl.DataFrame, show_id: pl.Expr, column: str = "episode") -> pl.DataFrame:
    """``episodes`` rows from episode objects; ``show_id`` says whose episodes they are."""
    first_day, precision, _ = entities.release_date(
        nested("episode", "release_date"), nested("episode", "release_date_precision")
    )
    return entities.distinct_objects(
        frame, column, "episode", "episode_id", show_id.alias("show_id")
    ).select(
        "episode_id",
        "show_id",
        nested("episode", "name").alias("name"),
        first_day.alias("release_date"),
        precision.alias("release_date_precision"),
        nested("episode", "duration_ms").alias("duration_ms"),
        nested("episode", "explicit").alias("explicit"),
        nested("episode", "external_urls", "spotify").alias("url"),
        nested("episode", "uri").alias("uri"),
        *LINEAGE,
    )


def episodes_and_shows(frame: pl.DataFrame, column: str) -> dict[str, pl.DataFrame]:
    """Episodes that embed their show: both tables."""
    episodes = frame.filter(nested(column, "id").is_not_null())
    shows = episodes.select(*LINEAGE, nested(column, "show").alias("show"))
    return {
        "episodes": episode_rows(episodes, nested(column, "show", "id"), column),
        "shows": show_rows(shows),
    }


def _simplified_tracks(frame: pl.DataFrame, album_id: pl.Expr, column: str) -> pl.DataFrame:
    """Playable tracks without an ``album`` object (an album's tracks) given their album's id,
    in the shape of :func:`entities.playable_tracks`."""
    with_album = frame.select(
        *LINEAGE,
        pl.col(column).struct.with_fields(pl.struct(album_id.alias("id")).alias("album")),
    )
    return entities.playable_tracks(with_album, column)


def _track_dimensions(tracks: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """``tracks``, ``track_artists`` and ``artists`` of playable tracks (no album rows)."""
    artists = entities.credited_artists(tracks, nested("track", "artists"))
    return {
        "tracks": entities.track_rows(tracks),
        "track_artists": entities.track_artist_rows(tracks),
        "artists": entities.artist_rows(artists),
    }


def _saved_tracks(pages: pl.DataFrame) -> dict[str, pl.DataFrame]:
    rows = _items(pages)
    tracks = rows.select(*LINEAGE, nested("item", "track").alias("entity"))
    return {
        "saved_tracks": _saved(rows, "track", "track_id"),
        **entities.dimension_tables(tracks),
    }


def _albums_with_tracks(albums: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """Albums and their artists, with the tracks of each album's embedded first page."""
    embedded = (
        albums.select(
            *LINEAGE,
            nested("album", "id").alias("_album_id"),
            nested("album", "tracks", "items").alias("_track"),
        )
        .filter(pl.col("_track").list.len() > 0)
        .explode("_track")
    )
    tracks = _simplified_tracks(embedded, pl.col("_album_id"), "_track")
    artists = entities.credited_artists(albums, nested("album", "artists"))
    track_artists = entities.credited_artists(tracks, nested("track", "artists"))
    return {
        "tracks": entities.track_rows(tracks),
        "track_artists": entities.track_artist_rows(tracks),
        "albums": entities.album_rows(albums),
        "artists": entities.artist_rows(pl.concat([artists, track_artists])),
    }


def _saved_albums(pages: pl.DataFrame) -> dict[str, pl.DataFrame]:
    rows = _items(pages)
    albums = rows.select(*LINEAGE, nested("item", "album").alias("album"))
    return {"saved_albums": _saved(rows, "album", "album_id"), **_albums_with_tracks(albums)}


def _saved_shows(pages: pl.DataFrame) -> dict[str, pl.DataFrame]:
    rows = _items(pages)
    shows = rows.select(*LINEAGE, nested("item", "show").alias("show"))
    return {"saved_shows": _saved(rows, "show", "show_id"), "shows": show_rows(shows)}


def _saved_episodes(pages: pl.DataFrame) -> dict[str, pl.DataFrame]:
    rows = _items(pages)
    episodes = rows.select(*LINEAGE, nested("item", "episode").alias("episode"))
    return {
        "saved_episodes": _saved(rows, "episode", "episode_id"),
        **episodes_and_shows(episodes, "episode"),
    }


def _top(rows: pl.DataFrame, item_type: str) -> pl.DataFrame:
    time_range = pl.col("href").str.extract(TIME_RANGE, 1).fill_null(DEFAULT_TIME_RANGE)
    return rows.select(
        pl.lit(item_type).alias("item_type"),
        time_range.alias("time_range"),
        (pl.col("position") + 1).alias("rank"),
        nested("item", "id").alias("item_id"),
        "total",
        *LINEAGE,
    ).filter(pl.col("item_id").is_not_null())


def _top_artists(pages: pl.DataFrame) -> dict[str, pl.DataFrame]:
    rows = _items(pages)
    artists = rows.select(*LINEAGE, pl.col("item").alias("artist"))
    return {"top_items": _top(rows, "artist"), "artists": entities.artist_rows(artists)}


def _top_tracks(pages: pl.DataFrame) -> dict[str, pl.DataFrame]:
    rows = _items(pages)
    tracks = rows.select(*LINEAGE, pl.col("item").alias("entity"))
    return {"top_items": _top(rows, "track"), **entities.dimension_tables(tracks)}


def _followed_artists(pages: pl.DataFrame) -> dict[str, pl.DataFrame]:
    rows = _items(pages.unnest("artists"))
    followed = rows.select(nested("item", "id").alias("artist_id"), "total", *LINEAGE).filter(
        pl.col("artist_id").is_not_null()
    )
    artists = rows.select(*LINEAGE, pl.col("item").alias("artist"))
    return {"followed_artists": followed, "artists": entities.artist_rows(artists)}


def playlist_rows(playlists: pl.DataFrame, column: str = "playlist") -> pl.DataFrame:
    """``playlists`` rows from simplified playlist objects (``/me/playlists`` pages)."""
    total = pl.coalesce(nested(column, "items", "total"), nested(column, "tracks", "total"))
    return playlists.select(
        nested(column, "id").alias("playlist_id"),
        nested(column, "snapshot_id").fill_null("unknown").alias("snapshot_id"),
        nested(column, "name").alias("name"),
        nested(column, "description").alias("description"),
        nested(column, "owner", "id").alias("owner_id"),
        nested(column, "public").alias("public"),
        nested(column, "collaborative").alias("collaborative"),
        total.alias("total_items"),
        nested(column, "external_urls", "spotify").alias("url"),
        *LINEAGE,
    ).filter(pl.col("playlist_id").is_not_null())


def _my_playlists(pages: pl.DataFrame) -> dict[str, pl.DataFrame]:
    rows = _items(pages)
    return {"playlists": playlist_rows(rows.select(*LINEAGE, pl.col("item").alias("playlist")))}


def _shows(objects: pl.DataFrame) -> dict[str, pl.DataFrame]:
    shows = entities.as_struct(objects, "show", "episodes")
    episodes = (
        objects.select(*LINEAGE, "id", pl.col("episodes").struct.field("items").alias("episode"))
        .filter(pl.col("episode").list.len() > 0)
        .explode("episode")
    )
    return {"shows": show_rows(shows), "episodes": episode_rows(episodes, pl.col("id"))}


def _episodes(objects: pl.DataFrame) -> dict[str, pl.DataFrame]:
    return episodes_and_shows(entities.as_struct(objects, "episode"), "episode")


def _show_episodes(pages: pl.DataFrame) -> dict[str, pl.DataFrame]:
    rows = _items(pages).rename({"item": "episode"})
    show_id = pl.col("href").str.extract(PARENT_ID, 1)
    return {"episodes": episode_rows(rows, show_id)}


def _album_tracks(pages: pl.DataFrame) -> dict[str, pl.DataFrame]:
    rows = _items(pages)
    album_id = pl.col("href").str.extract(PARENT_ID, 1)
    return _track_dimensions(_simplified_tracks(rows, album_id, "item"))


def _artist_albums(pages: pl.DataFrame) -> dict[str, pl.DataFrame]:
    albums = _items(pages).select(*LINEAGE, pl.col("item").alias("album"))
    artists = entities.credited_artists(albums, nested("album", "artists"))
    return {"albums": entities.album_rows(albums), "artists": entities.artist_rows(artists)}


BUILDERS: Mapping[Source, Callable[[pl.DataFrame], dict[str, pl.DataFrame]]] = {
    Source.SAVED_TRACKS: _saved_tracks,
    Source.SAVED_ALBUMS: _saved_albums,
    Source.SAVED_SHOWS: _saved_shows,
    Source.SAVED_EPISODES: _saved_episodes,
    Source.TOP_ARTISTS: _top_artists,
    Source.TOP_TRACKS: _top_tracks,
    Source.FOLLOWED_ARTISTS: _followed_artists,
    Source.MY_PLAYLISTS: _my_playlists,
    Source.SHOWS: _shows,
    Source.EPISODES: _episodes,
    Source.SHOW_EPISODES: _show_episodes,
    Source.ALBUM_TRACKS: _album_tracks,
    Source.ARTIST_ALBUMS: _artist_albums,
}
"""Builder of each library or podcast source."""

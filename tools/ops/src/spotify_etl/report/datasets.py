"""What the report reads: one query per data set, each over one view, with typed columns.

A data set is the rows of one report view (a filter and an order at most), so an
Athena user gets the same numbers with ``SELECT * FROM <view>``. Its columns are
declared with their kind: both engines' values are read into the same JSON
values by :mod:`spotify_etl.report.values`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, cast, get_args

Kind = Literal["int", "float", "text", "date", "local_time", "utc_time"]
"""``local_time``: a time already in the report's zone; ``utc_time``: a UTC time, shown in it."""


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind


@dataclass(frozen=True)
class Dataset:
    """The rows of one view the page embeds under ``key``."""

    key: str
    view: str
    columns: tuple[Column, ...]
    order_by: str
    where: str = ""

    @property
    def sql(self) -> str:
        """The query, in Athena SQL over the stored views (before the zone is applied)."""
        where = f" WHERE {self.where}" if self.where else ""
        names = ", ".join(c.name for c in self.columns)
        return f"SELECT {names} FROM {self.view}{where} ORDER BY {self.order_by}"


def _cols(spec: str) -> tuple[Column, ...]:
    """``"month:date plays:int"`` -> columns."""
    kinds = get_args(Kind)
    columns = []
    for part in spec.split():
        name, kind = part.split(":")
        if kind not in kinds:
            raise ValueError(f"column {name}: unknown kind {kind!r}")
        columns.append(Column(name, cast(Kind, kind)))
    return tuple(columns)


TOP = 10
"""Ranks the top lists and bump charts show (the views rank everything)."""

DATASETS: tuple[Dataset, ...] = (
    Dataset(
        "listening_time",
        "monthly_listening",
        _cols("month:date origin:text plays:int minutes:float plays_without_minutes:int"),
        "month, origin",
    ),
    Dataset(
        "top_artists",
        "yearly_top_artists",
        _cols("year:int rank:int artist_name:text plays:int minutes:float"),
        "year, rank",
        f"rank <= {TOP}",
    ),
    Dataset(
        "top_tracks",
        "yearly_top_tracks",
        _cols("year:int rank:int track_name:text artist_name:text plays:int minutes:float"),
        "year, rank",
        f"rank <= {TOP}",
    ),
    Dataset(
        "listening_clock",
        "listening_clock",
        _cols("weekday:int hour:int plays:int minutes:float"),
        "weekday, hour",
    ),
    Dataset(
        "session_lengths",
        "session_lengths",
        _cols("band_order:int band:text sessions:int plays:int"),
        "band_order",
    ),
    Dataset(
        "longest_sessions",
        "listening_sessions",
        _cols(
            "length_rank:int session_start:local_time session_end:local_time "
            "length_minutes:float plays:int minutes:float"
        ),
        "length_rank",
        f"length_rank <= {TOP}",
    ),
    Dataset(
        "skips_by_hour",
        "skips_by_hour",
        _cols("hour:int plays:int skips:int skip_share:float"),
        "hour",
    ),
    Dataset(
        "skips_by_platform",
        "skips_by_platform",
        _cols("platform:text plays:int skips:int skip_share:float"),
        "plays DESC, platform",
    ),
    Dataset(
        "discoveries",
        "artist_discoveries",
        _cols(
            "month:date new_artists:int artists_so_far:int top_newcomer:text top_newcomer_plays:int"
        ),
        "month",
    ),
    Dataset(
        "library_growth",
        "library_growth",
        _cols("item_type:text day:date added:int saved_total:int"),
        "item_type, day",
    ),
    Dataset(
        "taste_ranks",
        "top_item_ranks",
        _cols(
            "item_type:text time_range:text snapshot_number:int taken_at:utc_time "
            "name:text rank:int previous_rank:int change:text"
        ),
        "item_type, time_range, snapshot_number, rank",
        f"rank <= {TOP}",
    ),
    Dataset(
        "taste_changes",
        "top_item_changes",
        _cols(
            "item_type:text time_range:text snapshot_number:int taken_at:utc_time "
            "entered:int left_items:int stayed:int items:int"
        ),
        "item_type, time_range, snapshot_number",
    ),
    Dataset(
        "year_summary",
        "year_summary",
        _cols(
            "year:int plays:int minutes:float plays_without_minutes:int distinct_artists:int "
            "distinct_tracks:int most_played_day:date most_played_day_plays:int "
            "longest_streak_days:int streak_start:date streak_end:date"
        ),
        "year",
    ),
)
"""Every data set of the page, in the order they are queried."""

BY_KEY = {d.key: d for d in DATASETS}

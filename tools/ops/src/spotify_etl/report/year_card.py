"""The year card: one year's numbers from the report's data sets (pure).

Everything on it is read from ``year_summary`` (one row per local year) and the
first five ranks of ``yearly_top_artists`` / ``yearly_top_tracks``, so the card
and those views always agree.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from spotify_etl.report.values import JsonValue

Record = Mapping[str, JsonValue]
CARD_TOP = 5


@dataclass(frozen=True)
class Ranked:
    rank: int
    name: str
    detail: str | None
    plays: int
    minutes: float | None


@dataclass(frozen=True)
class YearCard:
    """A year's card; ``summary`` is its ``year_summary`` row, None when it has no play."""

    year: int
    summary: Record | None
    top_artists: tuple[Ranked, ...]
    top_tracks: tuple[Ranked, ...]
    years: tuple[int, ...]
    """Every year with a play, oldest first."""


def choose_year(summaries: Sequence[Record], requested: int | None) -> int | None:
    """``requested``, else the latest year with a play (None: no play at all)."""
    if requested is not None:
        return requested
    years = [int(str(r["year"])) for r in summaries]
    return max(years) if years else None


def year_card(
    year: int,
    summaries: Sequence[Record],
    top_artists: Sequence[Record],
    top_tracks: Sequence[Record],
) -> YearCard:
    """The card of ``year`` (a year without plays gets an empty card naming the others)."""
    summary = next((r for r in summaries if r["year"] == year), None)
    return YearCard(
        year=year,
        summary=summary,
        top_artists=_top(top_artists, year, "artist_name", None),
        top_tracks=_top(top_tracks, year, "track_name", "artist_name"),
        years=tuple(sorted(int(str(r["year"])) for r in summaries)),
    )


def _top(rows: Sequence[Record], year: int, name: str, detail: str | None) -> tuple[Ranked, ...]:
    chosen = sorted(
        (r for r in rows if r["year"] == year and int(str(r["rank"])) <= CARD_TOP),
        key=lambda r: int(str(r["rank"])),
    )
    return tuple(
        Ranked(
            rank=int(str(r["rank"])),
            name=str(r[name] or "unknown"),
            detail=str(r[detail]) if detail and r[detail] is not None else None,
            plays=int(str(r["plays"])),
            minutes=float(str(r["minutes"])) if r["minutes"] is not None else None,
        )
        for r in chosen
    )

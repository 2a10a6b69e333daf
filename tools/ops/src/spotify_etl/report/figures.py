"""The charts of the page: what each shows, how it counts, its data sets, its notes (pure).

Titles say what a chart shows; ``definition`` (one click away on the page) says
how it is counted and which view holds its numbers. Notes say what the data
cannot show, instead of an empty chart or column.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from spotify_etl.report import specs
from spotify_etl.report.specs import Records, Spec

Data = Mapping[str, Records]


@dataclass(frozen=True)
class Figure:
    key: str
    title: str
    """What it shows; ``{zone}`` stands for the report's zone."""
    definition: str
    datasets: tuple[str, ...]
    build: Callable[[Data], Spec]
    empty: str
    """Said instead of the chart when its data sets have no rows."""
    notes: Callable[[Data], list[str]] = lambda data: []
    half: bool = False
    """Drawn half width, beside the next half-width figure."""

    def is_empty(self, data: Data) -> bool:
        return not any(data[key] for key in self.datasets)


NO_PLAYS = (
    "No play that counts yet: import your data export (spotify-etl import-history) or let the "
    "extractor fetch recently played (EXTRACTOR_RECENTLY_PLAYED=true)."
)


def _listening_notes(data: Data) -> list[str]:
    rows = data["listening_time"]
    unknown = sum(int(str(r["plays_without_minutes"])) for r in rows)
    if rows and not any(r["minutes"] is not None for r in rows):
        return [
            "Minutes unknown: every play so far comes from recently played, which does not say "
            "how long it played, so this chart shows plays only. Import your data export "
            "(spotify-etl import-history) to see listening time."
        ]
    if unknown:
        return [
            f"{unknown:,} plays from recently played have no minutes (it does not say how long "
            "a play lasted): they are in the plays below, not in the hours."
        ]
    return []


def _taste_notes(data: Data) -> list[str]:
    numbers = [int(str(r["snapshot_number"])) for r in data["taste_changes"]]
    if numbers and max(numbers) < 2:
        return [
            "One snapshot so far: the ranks move, and items enter and leave, from the "
            "extractor's next run."
        ]
    return []


FIGURES: tuple[Figure, ...] = (
    Figure(
        "listening_time",
        "Listening time per month, by origin",
        "Hours: the ms_played of the plays that count, summed per month ({zone}). Plays: the "
        "plays that count. Origin: your data export, or recently played (fetched by the "
        "extractor; it has no ms_played, so its plays add to plays but not to hours). "
        "View: monthly_listening.",
        ("listening_time",),
        lambda d: specs.listening_time(d["listening_time"], "listening_time"),
        NO_PLAYS,
        _listening_notes,
    ),
    Figure(
        "top_artists",
        "Top 10 artists of each year, and how their ranks moved",
        "Artists ranked per year ({zone}) by the plays that count; ties by minutes, then name. "
        "An artist is a name (the export's album artist, else the catalog's first artist), "
        "case aside; podcasts are left out. A line joins an artist's ranks over the years it "
        "was in the top 10; hover a name to follow it. View: yearly_top_artists.",
        ("top_artists",),
        lambda d: specs.top_bump(d["top_artists"], "top_artists", "artist_name"),
        NO_PLAYS,
    ),
    Figure(
        "top_tracks",
        "Top 10 tracks of each year, and how their ranks moved",
        "Tracks ranked per year ({zone}) by the plays that count; ties by minutes, then name. "
        "A track is its Spotify id, else its names. A line joins a track's ranks over the "
        "years it was in the top 10. View: yearly_top_tracks.",
        ("top_tracks",),
        lambda d: specs.top_bump(d["top_tracks"], "top_tracks", "track_name", "artist_name"),
        NO_PLAYS,
    ),
    Figure(
        "listening_clock",
        "When you listen: plays by weekday and hour ({zone})",
        "The plays that count per weekday and hour of day, in {zone}, over the whole history; "
        "darker is more. View: listening_clock.",
        ("listening_clock",),
        lambda d: specs.listening_clock(d["listening_clock"], "listening_clock"),
        NO_PLAYS,
    ),
    Figure(
        "session_lengths",
        "How long your listening sessions last",
        "A session is a run of plays in which each begins at most 10 minutes after the "
        "previous one ended (a play begins ms_played before it ends; recently played, without "
        "ms_played, is taken to begin when it ends). Every play keeps a session going, skips "
        "too; its length runs from the first play's start to the last one's end. "
        "Views: listening_sessions, session_lengths.",
        ("session_lengths",),
        lambda d: specs.session_lengths(d["session_lengths"], "session_lengths"),
        NO_PLAYS,
        half=True,
    ),
    Figure(
        "longest_sessions",
        "Your 10 longest listening sessions",
        "Sessions as defined beside, longest first, with when they started ({zone}) and the "
        "plays in them that count. View: listening_sessions (length_rank).",
        ("longest_sessions",),
        lambda d: specs.longest_sessions(d["longest_sessions"], "longest_sessions"),
        NO_PLAYS,
        half=True,
    ),
    Figure(
        "skips_by_hour",
        "Share of plays skipped, by hour of day ({zone})",
        "Over every play whose skip is known (the export's skipped flag, else a play ended "
        "with the forward button, reason_end fwdbtn), whatever its length: a skip usually "
        "comes before 30 seconds, so the 30-second rule does not apply here. Recently "
        "played never says. View: skips_by_hour.",
        ("skips_by_hour",),
        lambda d: specs.skips_by_hour(d["skips_by_hour"], "skips_by_hour"),
        "No play with a known skip: only the data export records skips (import it with "
        "spotify-etl import-history).",
        half=True,
    ),
    Figure(
        "skips_by_platform",
        "Share of plays skipped, by platform",
        "The same plays as beside, by platform family (the web player first, whatever the "
        "system it runs on). View: skips_by_platform.",
        ("skips_by_platform",),
        lambda d: specs.skips_by_platform(d["skips_by_platform"], "skips_by_platform"),
        "No play with a known skip: only the data export records skips.",
        half=True,
    ),
    Figure(
        "discoveries",
        "Discoveries: artists played for the first time, per month",
        "An artist is discovered in the month ({zone}) of its first play that counts. Bars: "
        "new artists that month; line: artists so far. Hover a month for the newcomer you "
        "have played most since. View: artist_discoveries.",
        ("discoveries",),
        lambda d: specs.discoveries(d["discoveries"], "discoveries"),
        NO_PLAYS,
    ),
    Figure(
        "library_growth",
        "Library growth: saved tracks and albums",
        "The tracks and albums in your library now, counted up by the day ({zone}) you saved "
        "each (added_at). Items you removed are not known, so the curve is the history of "
        "what is still saved. View: library_growth.",
        ("library_growth",),
        lambda d: specs.library_growth(d["library_growth"], "library_growth"),
        "No saved tracks or albums yet: the extractor fetches them with "
        "EXTRACTOR_LIBRARY=saved_tracks,saved_albums (or all).",
    ),
    Figure(
        "taste_drift",
        "Taste drift: your top items across snapshots",
        "Spotify's own top artists and tracks (per time range), one snapshot per extractor "
        "run, complete snapshots only. Lines: the ranks of each snapshot's top 10; a triangle "
        "marks an item that entered since the snapshot before. Bars: items that entered or "
        "left the whole list between snapshots. Pick the kind and the time range above the "
        "chart. Views: top_item_ranks, top_item_changes.",
        ("taste_ranks", "taste_changes"),
        lambda d: specs.taste_drift(
            d["taste_ranks"], d["taste_changes"], "taste_ranks", "taste_changes"
        ),
        "No complete snapshot of your top items yet: the extractor fetches them with "
        "EXTRACTOR_LIBRARY=top_items (or all).",
        _taste_notes,
    ),
)
"""Every chart, in page order."""


def figure_datasets(figures: Sequence[Figure]) -> set[str]:
    """The data set keys the figures draw from."""
    return {key for figure in figures for key in figure.datasets}

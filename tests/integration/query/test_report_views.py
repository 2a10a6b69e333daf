"""The report views on DuckDB: the counting rule, minutes only where known, years, days,
streaks and sessions, in UTC as stored and in another zone as ``spotify-etl report --tz``
runs them (:func:`spotify_etl.report.zoned_sql.zoned_query`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest
from spotify_etl.query.transpile import to_duckdb
from spotify_etl.report.commands import share_views
from spotify_etl.report.datasets import DATASETS
from spotify_etl.report.zoned_sql import zoned_query
from spotify_etl_views import load_views

from tests.integration.query.test_distinct_plays import DAY, extended, recent

if TYPE_CHECKING:
    from tests.integration.query.conftest import Curated

pytestmark = pytest.mark.integration
Query = Callable[[str], list[tuple[Any, ...]]]

NEW_YEAR_EVE = datetime(2023, 12, 31, 23, 30, tzinfo=UTC)
"""00:30 on 1 January 2024 in Paris: another day, month and year there."""
JAN = datetime(2024, 1, 10, 12, 0, tzinfo=UTC)
D31, J10 = date(2023, 12, 31), date(2024, 1, 10)


def in_paris(query: Query, select: str) -> list[tuple[Any, ...]]:
    return query(to_duckdb(zoned_query(select, load_views(), "Europe/Paris")))


@pytest.fixture
def history(curated: Curated, query: Query) -> Query:
    """On 31 December 2023 (UTC): a 200 s play at 23:30. On 10-12 January 2024: a 29.999 s
    play (does not count), a 30 s one (counts), a 10 s skip, a 4-minute play 9 minutes
    after the previous ended (same session), one 11 minutes after (a new session), a play
    each on the 11th and 12th (a 3-day streak), and a recently played play on the 12th
    (counts, minutes unknown)."""
    curated.put(
        "plays",
        DAY,
        "export",
        [
            extended(NEW_YEAR_EVE, "T1", ms=200_000, artist_name="Early"),
            extended(JAN, "T1", ms=29_999),
            extended(JAN + timedelta(minutes=1), "T2", ms=30_000),
            extended(
                JAN + timedelta(minutes=2), "T3", ms=10_000, skipped=True, reason_end="fwdbtn"
            ),
            extended(JAN + timedelta(minutes=15), "T2", ms=240_000),
            extended(JAN + timedelta(minutes=30), "T2", ms=240_000),
            extended(JAN + timedelta(days=1), "T4", ms=60_000, artist_name="Other"),
            extended(JAN + timedelta(days=2), "T4", ms=60_000, artist_name="Other"),
        ],
    )
    curated.put("plays", DAY, "rp", [recent(JAN + timedelta(days=2, hours=3), "T5")])
    return query


def test_a_play_counts_from_30_seconds_or_when_recently_played_shows_it(history: Query) -> None:
    rows = history("SELECT ms_played, counts, minutes_known FROM report_plays ORDER BY played_at")
    assert [r[1] for r in rows] == [True, False, True, False, True, True, True, True, True]
    assert rows[-1] == (None, True, False)  # recently played: counts, minutes unknown


def test_monthly_listening_sums_ms_played_of_counted_plays_and_says_what_is_unknown(
    history: Query,
) -> None:
    assert history("SELECT * FROM monthly_listening ORDER BY month, origin") == [
        (date(2023, 12, 1), "export", 1, 200_000 / 60_000, 0),
        (date(2024, 1, 1), "export", 5, 630_000 / 60_000, 0),
        (date(2024, 1, 1), "recently_played", 1, None, 1),
    ]


def test_year_summary_has_plays_minutes_the_busiest_day_and_the_longest_streak(
    history: Query,
) -> None:
    assert history("SELECT * FROM year_summary ORDER BY year") == [
        # year, plays, minutes, without minutes, artists, tracks, busiest day and its plays,
        # streak days, first and last
        (2023, 1, 200_000 / 60_000, 0, 1, 1, D31, 1, 1, D31, D31),
        (2024, 6, 630_000 / 60_000, 1, 2, 3, J10, 3, 3, J10, date(2024, 1, 12)),
    ]


def test_in_another_zone_a_late_play_moves_to_the_next_day_and_year(history: Query) -> None:
    select = "SELECT year, plays, most_played_day, longest_streak_days FROM year_summary ORDER BY 1"
    assert in_paris(history, select) == [(2024, 7, date(2024, 1, 10), 3)]
    hours = in_paris(history, "SELECT hour, plays FROM listening_clock WHERE weekday = 1")
    assert hours == [(0, 1)]  # 23:30 UTC on a Sunday is 00:30 on a Monday in Paris


def test_every_data_set_in_utc_is_the_stored_views_answer(history: Query) -> None:
    views = load_views()
    for dataset in DATASETS:
        zoned = history(to_duckdb(zoned_query(dataset.sql, views, "UTC")))
        assert zoned == history(to_duckdb(dataset.sql)), dataset.key


def test_yearly_tops_rank_by_counted_plays_then_minutes(history: Query) -> None:
    artists = "SELECT year, rank, artist_name, plays FROM yearly_top_artists ORDER BY 1, 2"
    assert history(artists) == [
        (2023, 1, "Early", 1),
        (2024, 1, "Artist", 3),
        (2024, 2, "Other", 2),
    ]
    tracks = history(
        "SELECT rank, track_name, plays, minutes FROM yearly_top_tracks WHERE year = 2024 "
        "ORDER BY rank"
    )
    # T5 is known only from recently played, and the catalog has never fetched it: no name yet
    assert tracks == [
        (1, "Song T2", 3, 510_000 / 60_000),
        (2, "Song T4", 2, 2.0),
        (3, None, 1, None),
    ]


def test_a_session_lasts_while_each_play_begins_within_10_minutes_of_the_last_end(
    history: Query,
) -> None:
    rows = history(
        "SELECT session_start, session_end, plays, length_rank FROM listening_sessions "
        "WHERE CAST(session_start AS date) = DATE '2024-01-10' "
        "ORDER BY session_start"
    )
    begin = (JAN - timedelta(seconds=29.999)).replace(tzinfo=None)
    # the 15-minute play began at 12:11, 9 minutes after 12:02; the 30-minute one at 12:26,
    # 11 minutes after 12:15
    assert [r[:3] for r in rows] == [
        (begin, datetime(2024, 1, 10, 12, 15), 2),
        (datetime(2024, 1, 10, 12, 26), datetime(2024, 1, 10, 12, 30), 1),
    ]
    assert history("SELECT band, sessions FROM session_lengths ORDER BY band_order") == [
        ("under 15 min", 5),
        ("15-30 min", 1),
    ]


def test_skips_count_every_play_whose_skip_is_known_whatever_its_length(history: Query) -> None:
    assert history("SELECT * FROM skips_by_hour ORDER BY hour") == [
        (12, 7, 1, 1 / 7),
        (23, 1, 0, 0.0),
    ]
    assert history("SELECT * FROM skips_by_platform") == [("android", 8, 1, 1 / 8)]


def test_artist_discoveries_count_each_artist_in_the_month_of_its_first_counted_play(
    history: Query,
) -> None:
    assert history("SELECT * FROM artist_discoveries ORDER BY month") == [
        (date(2023, 12, 1), 1, 1, "Early", 1),
        (date(2024, 1, 1), 2, 3, "Artist", 3),
    ]


def top_items(run: str, ids: list[str], at: datetime) -> list[dict[str, Any]]:
    source = f"raw/source=top_items/run={run}/time_range=long_term/page=0000.json"
    return [
        {
            "item_type": "artist",
            "time_range": "long_term",
            "rank": rank,
            "item_id": item_id,
            "total": len(ids),
            "source_key": source,
            "extracted_at": at,
        }
        for rank, item_id in enumerate(ids, start=1)
    ]


def test_taste_drift_has_each_snapshots_ranks_and_what_entered_and_left(
    curated: Curated, query: Query
) -> None:
    first, second = datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 2, 1, tzinfo=UTC)
    curated.put("top_items", "2026-01-01", "a", top_items("r1", ["A", "B", "C"], first))
    curated.put("top_items", "2026-02-01", "b", top_items("r2", ["C", "A", "D"], second))
    rows = query(
        "SELECT snapshot_number, item_id, rank, previous_rank, change FROM top_item_ranks "
        "ORDER BY snapshot_number, rank NULLS LAST, item_id"
    )
    assert rows == [
        (1, "A", 1, None, "first"),
        (1, "B", 2, None, "first"),
        (1, "C", 3, None, "first"),
        (2, "C", 1, 3, "stayed"),
        (2, "A", 2, 1, "stayed"),
        (2, "D", 3, None, "entered"),
        (2, "B", None, 2, "left"),
    ]
    assert query(
        "SELECT snapshot_number, entered, left_items, stayed, items FROM top_item_changes "
        "ORDER BY 1"
    ) == [(1, 0, 0, 0, 3), (2, 1, 1, 2, 3)]


def test_library_growth_counts_saved_items_up_by_the_day_they_were_saved(
    curated: Curated, query: Query
) -> None:
    at = datetime(2026, 3, 1, tzinfo=UTC)
    saved = [
        (datetime(2025, 5, 1, 22, 30, tzinfo=UTC), "S1"),
        (datetime(2025, 5, 1, 23, 30, tzinfo=UTC), "S2"),
        (datetime(2025, 6, 2, 8, 0, tzinfo=UTC), "S3"),
    ]
    curated.put(
        "saved_tracks",
        "2026-03-01",
        "s",
        [
            {
                "track_id": track,
                "added_at": added,
                "position": position,
                "total": 3,
                "source_key": "raw/source=saved_tracks/run=r1/page=0000.json",
                "extracted_at": at,
            }
            for position, (added, track) in enumerate(saved)
        ],
    )
    assert query("SELECT * FROM library_growth ORDER BY day") == [
        ("track", date(2025, 5, 1), 2, 2),
        ("track", date(2025, 6, 2), 1, 3),
    ]
    assert in_paris(query, "SELECT day, added, saved_total FROM library_growth ORDER BY day") == [
        (date(2025, 5, 2), 2, 2),  # 00:30 and 01:30 on 2 May in Paris
        (date(2025, 6, 2), 1, 3),
    ]


def test_every_report_view_runs_with_no_files_at_all(query: Query) -> None:
    for dataset in DATASETS:
        assert query(to_duckdb(zoned_query(dataset.sql, load_views(), "Asia/Tokyo"))) == []


def test_sharing_play_items_on_duckdb_changes_no_answer(history: Query) -> None:
    """The report computes ``play_items`` once per DuckDB connection (a temporary table of the
    same name); every data set reads the same rows as from the views."""
    views = load_views()
    queries = {d.key: to_duckdb(zoned_query(d.sql, views, "Europe/Paris")) for d in DATASETS}
    before = {key: history(sql) for key, sql in queries.items()}
    share_views(history)
    assert history("SELECT count(*) FROM temp.play_items") == [(9,)]
    assert {key: history(sql) for key, sql in queries.items()} == before

"""The views over the listening history on DuckDB: by day and month, lifetime tops, skip rate,
and the analytics views counting minutes where they are known."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest

from tests.integration.query.test_distinct_plays import DAY, account, extended, recent

if TYPE_CHECKING:
    from tests.integration.query.conftest import Curated

pytestmark = pytest.mark.integration
Query = Callable[[str], list[tuple[Any, ...]]]
JAN = datetime(2024, 1, 31, 23, 0, tzinfo=UTC)
FEB = datetime(2024, 2, 1, 8, 0, tzinfo=UTC)


@pytest.fixture
def history(curated: Curated, query: Query) -> Query:
    """Three export plays on 31 January (one skipped on iOS), two on 1 February (one with
    only a name, from the account data), and a recently played one the export also has."""
    curated.put(
        "plays",
        DAY,
        "export",
        [
            extended(JAN, "T1", ms=120_000),
            extended(JAN + timedelta(minutes=5), "T1", ms=60_000),
            extended(
                JAN + timedelta(minutes=9),
                "T2",
                ms=30_000,
                platform="iOS 16.1.2 (iPhone14,5)",
                skipped=True,
                reason_end="fwdbtn",
                artist_name="Other",
            ),
            extended(FEB, "T2", ms=240_000, artist_name="Other"),
        ],
    )
    curated.put("plays", DAY, "account", [account(FEB + timedelta(hours=3), "Lonely", "Solo")])
    curated.put("plays", DAY, "rp", [recent(FEB + timedelta(seconds=2), "T2")])
    return query


def test_listening_by_day_sums_minutes_plays_tracks_and_artists(history: Query) -> None:
    assert history("SELECT * EXCLUDE (user_id) FROM listening_by_day ORDER BY day") == [
        (date(2024, 1, 31), 3.5, 3, 2, 2),
        (date(2024, 2, 1), 440_000 / 60_000, 2, 2, 2),
    ]


def test_listening_by_month_sums_the_same_per_month(history: Query) -> None:
    assert history("SELECT month, plays, distinct_tracks FROM listening_by_month ORDER BY 1") == [
        (date(2024, 1, 1), 3, 2),
        (date(2024, 2, 1), 2, 2),
    ]


def test_lifetime_top_tracks_rank_by_minutes_with_name_only_tracks(history: Query) -> None:
    rows = history(
        "SELECT track_key, track_name, minutes, plays, minutes_rank FROM lifetime_top_tracks "
        "ORDER BY minutes_rank, track_key"
    )
    assert rows == [
        ("T2", "Song T2", 4.5, 2, 1),
        ("names:solo|lonely", "Lonely", 200_000 / 60_000, 1, 2),
        ("T1", "Song T1", 3.0, 2, 3),
    ]


def test_lifetime_top_artists_rank_by_minutes(history: Query) -> None:
    assert history(
        "SELECT artist_name, minutes, plays, distinct_tracks, minutes_rank "
        "FROM lifetime_top_artists ORDER BY minutes_rank"
    ) == [("Other", 4.5, 2, 1, 1), ("Solo", 200_000 / 60_000, 1, 1, 2), ("Artist", 3.0, 2, 1, 3)]


def test_skip_rate_by_hour_and_platform_counts_plays_whose_skip_is_known(history: Query) -> None:
    assert history(
        "SELECT * EXCLUDE (user_id) FROM skip_rate_by_hour_and_platform ORDER BY ALL"
    ) == [
        (8, "android", 1, 0, 0.0),
        (23, "android", 2, 0, 0.0),
        (23, "ios", 1, 1, 1.0),
    ]


def test_top_tracks_and_listening_by_hour_count_minutes_where_known(history: Query) -> None:
    assert history("SELECT track_id, plays, minutes_played FROM top_tracks ORDER BY 1") == [
        ("T1", 2, 3.0),
        ("T2", 2, 4.5),
    ]
    assert history("SELECT hour_of_day, plays, minutes FROM listening_by_hour ORDER BY 1") == [
        (8, 1, 4.0),
        (11, 1, 200_000 / 60_000),
        (23, 3, 3.5),
    ]


def test_every_history_view_runs_with_no_files_at_all(query: Query) -> None:
    for view in (
        "play_items",
        "listening_by_day",
        "listening_by_month",
        "lifetime_top_tracks",
        "lifetime_top_artists",
        "skip_rate_by_hour_and_platform",
    ):
        assert query(f"SELECT * FROM {view}") == []


def test_skip_rate_groups_real_platform_texts_into_families(curated: Curated, query: Query) -> None:
    """Platform is free text: the web player names its OS, the apps their OS and device."""
    at = datetime(2024, 1, 15, 23, 59, 59, tzinfo=UTC)
    texts = [
        ("web_player windows 10;chrome 118.0.5993.88;desktop", True),
        ("WebPlayer (websocket RFC6455)", True),
        ("Windows 10 (10.0.19045; x64)", False),
        ("iOS 16.1 (iPhone14,2)", False),
        ("Android OS 9 API 28 (samsung, SM-G960F)", True),
        ("OS X 13.4.1 [arm 2]", False),
    ]
    rows = [
        extended(at - timedelta(minutes=i), "T1", platform=text, skipped=skipped)
        for i, (text, skipped) in enumerate(texts)
    ]
    curated.put("plays", DAY, "export", rows)
    assert query("SELECT * EXCLUDE (user_id) FROM skip_rate_by_hour_and_platform ORDER BY ALL") == [
        (23, "android", 1, 1, 1.0),
        (23, "ios", 1, 0, 0.0),
        (23, "macos", 1, 0, 0.0),
        (23, "web", 2, 2, 1.0),
        (23, "windows", 1, 0, 0.0),
    ]

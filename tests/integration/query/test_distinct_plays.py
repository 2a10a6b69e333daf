"""``distinct_plays`` on DuckDB: each real play once across re-imports, overlapping downloads,
the account data and recently played; the export's detail wins.

The rule (services/transformer/README.md, "Each play once"): copies of a row are one
play; recently played and the extended export are one play when the track is the same
and the end times are at most 10 s apart; account data (names, to the minute) matches
the others by names within 120 s.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from tests.integration.query.conftest import Curated

pytestmark = pytest.mark.integration
Query = Callable[[str], list[tuple[Any, ...]]]
T0 = datetime(2024, 1, 15, 14, 30, 12, tzinfo=UTC)
DAY = "2024-01-15"
NEW_COLUMNS = (
    "ms_played",
    "episode_id",
    "reason_start",
    "reason_end",
    "shuffle",
    "skipped",
    "offline",
    "offline_at",
    "incognito_mode",
    "platform",
    "conn_country",
    "track_name",
    "artist_name",
    "album_name",
    "episode_name",
    "show_name",
    "origin",
)


def extended(at: datetime, track: str | None, ms: int = 200_000, **extra: Any) -> dict[str, Any]:
    """A row of the extended history, as the transformer writes it."""
    named = {"track_name": f"Song {track}", "artist_name": "Artist", "album_name": "Album"}
    return {
        "played_at": at,
        "track_id": track,
        "ms_played": ms,
        "platform": "android",
        "conn_country": "DE",
        "reason_start": "trackdone",
        "reason_end": "trackdone",
        "shuffle": False,
        "skipped": False,
        **(named if track else {}),
        "origin": "export",
        "source_key": "raw/source=streaming_history/kind=extended/month=2024-01/a.json",
        "extracted_at": T0,
        **extra,
    }


def account(at: datetime, track_name: str, artist: str, ms: int = 200_000) -> dict[str, Any]:
    """A row of the account data: names only, to the minute."""
    return {
        "played_at": at.replace(second=0),
        "ms_played": ms,
        "track_name": track_name,
        "artist_name": artist,
        "origin": "export",
        "source_key": "raw/source=streaming_history/kind=account_music/month=2024-01/b.json",
        "extracted_at": T0,
    }


def recent(at: datetime, track: str, source: str = "raw/source=recently_played/r1.json") -> dict:
    return {
        "played_at": at,
        "track_id": track,
        "context_type": "playlist",
        "context_uri": "spotify:playlist:P1",
        "origin": "recently_played",
        "source_key": source,
        "extracted_at": T0,
    }


def plays(query: Query) -> list[tuple[Any, ...]]:
    return query(
        "SELECT played_at, track_id, ms_played, origin, context_type, track_name "
        "FROM distinct_plays ORDER BY played_at, track_id"
    )


def test_the_same_export_rows_imported_twice_are_one_play_each(
    curated: Curated, query: Query
) -> None:
    rows = [extended(T0, "T1"), extended(T0 + timedelta(minutes=4), "T2")]
    curated.put("plays", DAY, "first-import", rows)
    again = [dict(r, source_key="raw/source=streaming_history/other.json") for r in rows]
    curated.put("plays", DAY, "later-download", again)
    assert [r[:3] for r in plays(query)] == [
        (T0, "T1", 200_000),
        (T0 + timedelta(minutes=4), "T2", 200_000),
    ]


def test_recently_played_within_10_s_of_the_export_is_the_same_play_with_the_exports_detail(
    curated: Curated, query: Query
) -> None:
    curated.put("plays", DAY, "export", [extended(T0, "T1")])
    curated.put("plays", DAY, "rp", [recent(T0 + timedelta(seconds=9, milliseconds=500), "T1")])
    # the export's columns, the context only recently played knows
    assert plays(query) == [(T0, "T1", 200_000, "export", "playlist", "Song T1")]


def test_the_same_track_more_than_10_s_apart_is_two_plays(curated: Curated, query: Query) -> None:
    curated.put("plays", DAY, "export", [extended(T0, "T1")])
    curated.put("plays", DAY, "rp", [recent(T0 + timedelta(seconds=11), "T1")])
    assert [r[3] for r in plays(query)] == ["export", "recently_played"]


def test_another_track_at_the_same_time_is_another_play(curated: Curated, query: Query) -> None:
    curated.put("plays", DAY, "export", [extended(T0, "T1")])
    curated.put("plays", DAY, "rp", [recent(T0, "T2")])
    assert [(r[1], r[3]) for r in plays(query)] == [("T1", "export"), ("T2", "recently_played")]


def test_overlapping_recently_played_fetches_count_each_play_once(
    curated: Curated, query: Query
) -> None:
    curated.put("plays", DAY, "rp1", [recent(T0, "T1", "raw/rp1")])
    curated.put("plays", DAY, "rp2", [recent(T0, "T1", "raw/rp2")])
    assert [r[:4] for r in plays(query)] == [(T0, "T1", None, "recently_played")]


def test_account_data_matching_the_extended_history_by_names_is_the_same_play(
    curated: Curated, query: Query
) -> None:
    curated.put("plays", DAY, "export", [extended(T0, "T1")])
    curated.put(
        "plays",
        DAY,
        "account",
        [
            account(T0, "Song T1", "Artist"),  # the same play, to the minute
            account(T0 + timedelta(hours=2), "Song T1", "Artist", ms=1_000),  # not in the export
        ],
    )
    assert plays(query) == [
        (T0, "T1", 200_000, "export", None, "Song T1"),
        (T0.replace(second=0) + timedelta(hours=2), None, 1_000, "export", None, "Song T1"),
    ]


def test_account_data_matches_recently_played_through_the_catalogs_names(
    curated: Curated, query: Query
) -> None:
    lineage = {"source_key": "raw/source=tracks/track_id=T9.json", "extracted_at": T0}
    curated.put("tracks", DAY, "t", [{"track_id": "T9", "name": "Night Song", **lineage}])
    curated.put("artists", DAY, "a", [{"artist_id": "R1", "name": "The Band", **lineage}])
    curated.put(
        "track_artists",
        DAY,
        "c",
        [{"track_id": "T9", "artist_id": "R1", "position": 0, **lineage}],
    )
    curated.put("plays", DAY, "rp", [recent(T0, "T9")])
    curated.put("plays", DAY, "account", [account(T0, "Night Song", "The Band")])
    # one play: the account data's ms_played, recently played's track id and context
    assert plays(query) == [
        (T0.replace(second=0), "T9", 200_000, "export", "playlist", "Night Song")
    ]


def test_unknown_and_zero_ms_rows_are_each_kept(curated: Curated, query: Query) -> None:
    rows = [
        extended(T0, None, ms=0),
        extended(T0 + timedelta(seconds=1), None, ms=0),
        extended(T0 + timedelta(seconds=2), "T1", ms=0),
    ]
    curated.put("plays", DAY, "export", rows)
    assert query("SELECT count(*), sum(ms_played) FROM distinct_plays") == [(3, 0)]


def test_distinct_plays_has_every_column_of_plays(curated: Curated, query: Query) -> None:
    curated.put("plays", DAY, "export", [extended(T0, "T1")])
    columns = [r[:2] for r in query("DESCRIBE distinct_plays")]
    assert columns == [r[:2] for r in query("DESCRIBE plays")]


def test_plays_written_before_the_export_columns_existed_are_recently_played(
    curated: Curated, query: Query
) -> None:
    curated.put("plays", DAY, "old", [recent(T0, "T1")], drop=NEW_COLUMNS)
    curated.put("plays", DAY, "export", [extended(T0 + timedelta(seconds=2), "T1")])
    assert [r[:4] for r in plays(query)] == [(T0 + timedelta(seconds=2), "T1", 200_000, "export")]


def test_identical_rows_of_one_export_are_each_a_play_across_re_imports(curated: Curated) -> None:
    """Two zero-ms attempts logged in the same second are two rows; re-imports add none."""
    twice = [extended(T0, "T1", ms=0), extended(T0, "T1", ms=0), extended(T0, "T2", ms=9)]
    first = "raw/source=streaming_history/kind=extended/month=2024-01/first.json"
    curated.put("plays", DAY, "first", [dict(r, source_key=first) for r in twice])
    assert totals(curated) == (3, 9)
    later = "raw/source=streaming_history/kind=extended/month=2024-01/later.json"
    later_rows = [*twice, extended(T0 + timedelta(hours=1), "T3", ms=5)]
    # the same download again: the same raw keys, so the same curated files (overwritten)
    curated.put("plays", DAY, "first", [dict(r, source_key=first) for r in twice])
    curated.put("plays", DAY, "later", [dict(r, source_key=later) for r in later_rows])
    curated.put("plays", DAY, "local", [dict(r, source_key="endsong_0.json") for r in twice])
    assert totals(curated) == (4, 14)


def test_a_short_play_and_its_replay_within_10_s_are_two_plays_beside_recently_played(
    curated: Curated, query: Query
) -> None:
    """A 5 s skip, then the same track again: two export rows, never merged with each other;
    the one recently played copy is the replay's."""
    skip = extended(T0, "T1", ms=5_000, reason_end="backbtn")
    replay = extended(T0 + timedelta(seconds=8), "T1", ms=8_000)
    curated.put("plays", DAY, "export", [skip, replay])
    curated.put("plays", DAY, "rp", [recent(T0 + timedelta(seconds=8, milliseconds=400), "T1")])
    assert [r[:4] for r in plays(query)] == [
        (T0, "T1", 5_000, "export"),
        (T0 + timedelta(seconds=8), "T1", 8_000, "export"),
    ]


def test_two_account_rows_of_a_short_track_in_one_minute_are_two_plays(curated: Curated) -> None:
    """The account data writes the minute only: a 25 s track played twice gives identical rows."""
    rows = [account(T0, "Jingle", "Band", ms=25_000)] * 2
    curated.put("plays", DAY, "account", rows)
    assert totals(curated) == (2, 50_000)
    curated.put("plays", DAY, "account-again", [dict(r, source_key="other") for r in rows])
    assert totals(curated) == (2, 50_000)


def totals(curated: Curated) -> tuple[int, int]:
    """Plays and ms played in distinct_plays over the bucket as it is now (a new connection)."""
    con = curated.connect()
    try:
        [row] = con.execute("SELECT count(*), sum(ms_played) FROM distinct_plays").fetchall()
    finally:
        con.close()
    return row

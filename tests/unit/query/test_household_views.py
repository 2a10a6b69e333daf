"""A household in one lake, on DuckDB: every view over user-scoped tables answers per user, and
the household views put each user's share beside the household's and find what users share.

Three users (alice, bob, carol) with plays, saved tracks, top items, followed artists and one
playlist they both have (alice and bob), all fetched by the same extractor run (one ``run=``
id): anything counted per run must still be counted per user.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import pytest
from spotify_etl.query.local_engine import connect, run_query
from spotify_etl.query.per_user import for_user
from spotify_etl_common.tables import TABLES
from spotify_etl_views import load_views
from transformer.schemas import polars_schema

NOW = datetime.now(tz=UTC).replace(microsecond=0)
RUN = "20261201T080000Z-run"
TRACKS = {"T1": ("One", "A1"), "T2": ("Two", "A2"), "T3": ("Three", "A2"), "T4": ("Four", "A3")}
ARTISTS = {"A1": "Alpha", "A2": "Beta", "A3": "Gamma"}


class Lake:
    """Curated Parquet in a local folder laid out like the bucket, and DuckDB over it."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.files = 0

    def put(self, table: str, rows: list[dict[str, Any]]) -> None:
        schema = polars_schema(TABLES[table])
        lineage = {"source_key": "raw/x.json", "extracted_at": NOW}
        frame = pl.DataFrame(
            [{c: (lineage | r).get(c) for c in schema} for r in rows], schema=schema, orient="row"
        )
        folder = self.root / "b" / "curated" / table / f"dt={NOW.date()}"
        folder.mkdir(parents=True, exist_ok=True)
        self.files += 1
        frame.write_parquet(folder / f"{self.files}.parquet")

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        return self.queries([sql])[0]

    def queries(self, statements: list[str]) -> list[list[tuple[Any, ...]]]:
        curated = self.root / "b" / "curated"
        files = {t: sorted(str(p) for p in (curated / t).rglob("*.parquet")) for t in TABLES}
        con: duckdb.DuckDBPyConnection = connect(files, TABLES, load_views())
        try:
            return [list(run_query(con, sql).rows) for sql in statements]
        finally:
            con.close()


def play(user: str, track: str, days_ago: float, key: str | None = None) -> dict[str, Any]:
    """A recently played row of ``user`` (its own raw key per user, as the extractor writes)."""
    return {
        "user_id": user,
        "played_at": NOW - timedelta(days=days_ago),
        "track_id": track,
        "origin": "recently_played",
        "source_key": key or f"raw/source=recently_played/user={user}/dt=x/after=1.json",
    }


def library_page(user: str, source: str) -> str:
    return f"raw/source={source}/user={user}/dt=2026-12-01/run={RUN}/page=0000.json"


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory) -> Lake:
    lake = Lake(tmp_path_factory.mktemp("household"))
    lake.put(
        "tracks",
        [{"track_id": t, "name": n, "album_id": "AL"} for t, (n, _) in TRACKS.items()],
    )
    lake.put(
        "track_artists",
        [{"track_id": t, "artist_id": a, "position": 0} for t, (_, a) in TRACKS.items()],
    )
    lake.put("artists", [{"artist_id": a, "name": n} for a, n in ARTISTS.items()])
    lake.put(
        "plays",
        [
            play("alice", "T1", 1),
            play("alice", "T1", 2),
            play("alice", "T1", 3),
            play("alice", "T2", 4),
            play("bob", "T1", 200),
            play("bob", "T3", 1),
            play("bob", "T3", 2),
            play("carol", "T3", 1),
            play("carol", "T4", 5),
        ],
    )
    # The same play fetched again by alice's and bob's next runs: copies of their own rows.
    # bob's and carol's T3 a day ago ended at the same instant: one user's play is never a
    # copy of another's.
    lake.put(
        "plays",
        [
            play("alice", "T1", 1, "raw/source=recently_played/user=alice/dt=x/after=2.json"),
            play("bob", "T3", 1, "raw/source=recently_played/user=bob/dt=x/after=2.json"),
        ],
    )
    lake.put(
        "saved_tracks",
        [
            r | {"source_key": library_page(str(r["user_id"]), "saved_tracks")}
            for r in [
                {"user_id": "alice", "track_id": "T1", "position": 0, "total": 2},
                {"user_id": "alice", "track_id": "T2", "position": 1, "total": 2},
                {"user_id": "bob", "track_id": "T3", "position": 0, "total": 1},
            ]
        ],
    )
    lake.put(
        "top_items",
        [
            {
                "user_id": u,
                "item_type": "artist",
                "time_range": "short_term",
                "rank": 1,
                "item_id": a,
                "total": 1,
                "source_key": library_page(u, "top_artists"),
            }
            for u, a in (("alice", "A1"), ("bob", "A2"))
        ],
    )
    lake.put(
        "followed_artists",
        [
            {"user_id": u, "artist_id": a, "total": n, "source_key": library_page(u, "followed")}
            for u, a, n in (("alice", "A1", 2), ("alice", "A2", 2), ("carol", "A3", 1))
        ],
    )
    playlist = {"playlist_id": "P1", "name": "Shared", "total_items": 1}
    lake.put(
        "playlists",
        [
            playlist | {"user_id": "alice", "snapshot_id": "s-alice"},
            playlist | {"user_id": "bob", "snapshot_id": "s-bob"},
        ],
    )
    lake.put(
        "playlist_items",
        [
            {"user_id": "alice", "playlist_id": "P1", "snapshot_id": "s-alice", "position": 0}
            | {"item_type": "track", "track_id": "T1", "track_uri": "spotify:track:T1"},
            {"user_id": "bob", "playlist_id": "P1", "snapshot_id": "s-bob", "position": 0}
            | {"item_type": "track", "track_id": "T3", "track_uri": "spotify:track:T3"},
        ],
    )
    return lake


def test_distinct_plays_keeps_each_users_plays_and_merges_copies_only_within_a_user(
    lake: Lake,
) -> None:
    rows = lake.query(
        "SELECT user_id, track_id, count(*) FROM distinct_plays GROUP BY ALL ORDER BY ALL"
    )
    assert rows == [
        ("alice", "T1", 3),
        ("alice", "T2", 1),
        ("bob", "T1", 1),
        ("bob", "T3", 2),
        ("carol", "T3", 1),
        ("carol", "T4", 1),
    ]


def test_top_tracks_and_listening_answer_per_user(lake: Lake) -> None:
    assert lake.query(
        "SELECT user_id, track_id, plays, play_rank, playlist_appearances FROM top_tracks "
        "ORDER BY ALL"
    ) == [
        ("alice", "T1", 3, 1, 1),
        ("alice", "T2", 1, 2, 0),
        ("bob", "T1", 1, 2, 0),
        ("bob", "T3", 2, 1, 1),
        ("carol", "T3", 1, 1, 0),
        ("carol", "T4", 1, 1, 0),
    ]
    assert lake.query(
        "SELECT user_id, sum(plays) FROM listening_by_hour GROUP BY ALL ORDER BY ALL"
    ) == [("alice", 4), ("bob", 3), ("carol", 2)]
    assert lake.query(
        "SELECT user_id, artist_name, plays, minutes_rank FROM lifetime_top_artists "
        "WHERE user_id = 'alice' ORDER BY ALL"
    ) == [("alice", "Alpha", 3, 1), ("alice", "Beta", 1, 1)]


def test_the_library_top_items_and_followed_artists_of_one_run_are_each_users_own(
    lake: Lake,
) -> None:
    assert lake.query("SELECT user_id, track_id, name FROM library_tracks ORDER BY ALL") == [
        ("alice", "T1", "One"),
        ("alice", "T2", "Two"),
        ("bob", "T3", "Three"),
    ]
    assert lake.query("SELECT user_id, item_id, rank FROM top_items_latest ORDER BY ALL") == [
        ("alice", "A1", 1),
        ("bob", "A2", 1),
    ]
    assert lake.query("SELECT user_id, artist_id FROM followed_artists_current ORDER BY ALL") == [
        ("alice", "A1"),
        ("alice", "A2"),
        ("carol", "A3"),
    ]


def test_a_playlist_two_users_have_is_current_for_each_at_their_own_snapshot(lake: Lake) -> None:
    assert lake.query(
        "SELECT user_id, playlist_id, snapshot_id, track_id FROM current_playlist_items "
        "ORDER BY ALL"
    ) == [("alice", "P1", "s-alice", "T1"), ("bob", "P1", "s-bob", "T3")]
    assert lake.query("SELECT * FROM playlist_changes") == []  # one snapshot each: no change


def test_household_top_tracks_puts_each_users_share_beside_the_households(lake: Lake) -> None:
    rows = lake.query(
        "SELECT user_id, track_id, plays, round(share, 3), user_rank, household_plays, "
        "round(household_share, 3), household_rank, listeners FROM household_top_tracks "
        "ORDER BY ALL"
    )
    assert rows == [
        ("alice", "T1", 3, 0.75, 1, 4, 0.444, 1, 2),
        ("alice", "T2", 1, 0.25, 2, 1, 0.111, 3, 1),
        ("bob", "T1", 1, 0.333, 2, 4, 0.444, 1, 2),
        ("bob", "T3", 2, 0.667, 1, 3, 0.333, 2, 2),
        ("carol", "T3", 1, 0.5, 1, 3, 0.333, 2, 2),
        ("carol", "T4", 1, 0.5, 1, 1, 0.111, 3, 1),
    ]
    artists = lake.query(
        "SELECT artist_name, household_plays, listeners FROM household_top_artists "
        "WHERE user_id = 'carol' ORDER BY ALL"
    )
    assert artists == [("Beta", 4, 3), ("Gamma", 1, 1)]


def test_affinity_lists_exactly_what_two_users_play_ranked_by_the_smallest_share(
    lake: Lake,
) -> None:
    rows = lake.query(
        "SELECT time_window, item_type, name, users, round(min_share, 3), "
        "round(mean_share, 3), affinity_rank FROM affinity ORDER BY time_window, item_type, "
        "affinity_rank"
    )
    assert rows == [
        # all time: T1 (alice 3/4, bob 1/3), T3 (bob 2/3, carol 1/2); Beta by all three
        ("all_time", "artist", "Alpha", 2, 0.333, 0.542, 1),
        ("all_time", "artist", "Beta", 3, 0.25, 0.472, 2),
        ("all_time", "track", "Three", 2, 0.5, 0.583, 1),
        ("all_time", "track", "One", 2, 0.333, 0.542, 2),
        # bob's only T1 play is 200 days old: in the last 90 days only T3 and Beta are shared
        ("last_90_days", "artist", "Beta", 3, 0.25, 0.583, 1),
        ("last_90_days", "track", "Three", 2, 0.5, 0.75, 1),
    ]


def test_query_user_gives_every_per_user_view_exactly_that_users_rows(lake: Lake) -> None:
    views = load_views()
    names = [v.name for v in views]
    described = lake.queries([f"DESCRIBE {name}" for name in names])
    per_user = [n for n, d in zip(names, described, strict=True) if "user_id" in {r[0] for r in d}]
    assert {"distinct_plays", "top_tracks", "library_tracks", "taste_drift"} <= set(per_user)
    household = {"household_top_artists", "household_top_tracks"}
    plain = [n for n in per_user if n not in household]
    for user in ("alice", "bob"):
        filtered = lake.queries(
            [f"SELECT * FROM {n} WHERE user_id = '{user}' ORDER BY ALL" for n in plain]
        )
        rewritten = lake.queries(
            [
                for_user(f"SELECT * FROM {n} ORDER BY ALL", user, views, "duckdb", "main")
                for n in plain
            ]
        )
        for name, want, got in zip(plain, filtered, rewritten, strict=True):
            assert got == want, (user, name)
    # The household views read as if the lake held bob alone; affinity needs two users.
    [tracks, shared] = lake.queries(
        [
            for_user(
                "SELECT track_id, plays, household_plays, listeners FROM household_top_tracks "
                "ORDER BY ALL",
                "bob",
                views,
                "duckdb",
                "main",
            ),
            for_user("SELECT * FROM affinity", "bob", views, "duckdb", "main"),
        ]
    )
    assert tracks == [("T1", 1, 1, 1), ("T3", 2, 2, 1)]
    assert shared == []

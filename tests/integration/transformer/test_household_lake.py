"""The data side of a household: raw objects of three users, as the extractor keys them, through
``transform-files`` into curated Parquet, then the views on DuckDB. Each user's rows hold only
their own items, the shared dimensions no user, and ``affinity`` lists exactly what two or more
users share."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest
from spotify_etl.query.local_engine import connect, run_query
from spotify_etl_common import keys
from spotify_etl_common.sources import Source
from spotify_etl_common.tables import TABLES, USER_SCOPED_TABLES
from spotify_etl_views import load_views
from transformer.local_files import find_files, transform_files

from tests.unit.transformer.payloads import items_page, playlist_item, track

pytestmark = pytest.mark.integration

NOW = datetime.now(tz=UTC).replace(microsecond=0)
PLAYS = {
    # alice and bob share T1, bob and carol share T3; T2 and T4 are one user's each
    "sp-alice": ["T1", "T1", "T2"],
    "sp-bob": ["T1", "T3", "T3"],
    "sp-carol": ["T3", "T4"],
}
PLAYLISTS = {"sp-alice": ["T2"], "sp-bob": ["T3"], "sp-carol": ["T4"]}
SHARED_TRACKS = {"T1", "T3"}


def recently_played(track_ids: list[str]) -> bytes:
    items = [
        {
            "track": track(t, name=f"Song {t}"),
            "played_at": (NOW - timedelta(hours=n + 1)).isoformat().replace("+00:00", "Z"),
            "context": None,
        }
        for n, t in enumerate(track_ids)
    ]
    page = {
        "items": items,
        "next": None,
        "cursors": None,
        "limit": 50,
        "href": "https://api.spotify.com/v1/me/player/recently-played?limit=50",
    }
    return json.dumps(page).encode()


def write_raw(root: Path) -> None:
    """Each user's recently played and one playlist page, under their own user= keys."""
    for user, plays in PLAYS.items():
        recent = keys.recently_played_key(1_700_000_000_000).replace(
            keys.source_prefix(Source.RECENTLY_PLAYED),
            keys.user_prefix(Source.RECENTLY_PLAYED, user),
        )
        items = keys.playlist_items_key(f"P-{user}", "s1", 0).replace(
            keys.source_prefix(Source.PLAYLIST_ITEMS), keys.user_prefix(Source.PLAYLIST_ITEMS, user)
        )
        page = items_page([playlist_item(track(t)) for t in PLAYLISTS[user]])
        for key, body in ((recent, recently_played(plays)), (items, page)):
            path = root / key
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(body)


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory) -> Any:
    root = tmp_path_factory.mktemp("household")
    write_raw(root / "copy")
    files = find_files([root / "copy" / "raw"])
    outcome = transform_files(files, root / "b" / "curated", workers=1, extracted_at=NOW)
    assert not outcome.errors
    curated = root / "b" / "curated"
    files = {t: sorted(str(p) for p in (curated / t).rglob("*.parquet")) for t in TABLES}
    con: duckdb.DuckDBPyConnection = connect(files, TABLES, load_views())
    yield lambda sql: list(run_query(con, sql).rows)
    con.close()


def test_each_users_rows_hold_only_their_own_items_and_dimensions_no_user(lake: Any) -> None:
    for user, plays in PLAYS.items():
        rows = lake(f"SELECT track_id FROM plays WHERE user_id = '{user}' ORDER BY track_id")
        assert [r[0] for r in rows] == sorted(plays)
        items = lake(f"SELECT track_id FROM playlist_items WHERE user_id = '{user}'")
        assert [r[0] for r in items] == PLAYLISTS[user]
    assert lake("SELECT count(*) FROM plays WHERE user_id IS NULL") == [(0,)]
    for table in set(TABLES) - USER_SCOPED_TABLES:
        columns = {r[0] for r in lake(f"DESCRIBE {table}")}
        assert "user_id" not in columns, table


def test_affinity_lists_exactly_the_items_two_users_share(lake: Any) -> None:
    shared = lake(
        "SELECT item_key, users FROM affinity WHERE time_window = 'all_time' "
        "AND item_type = 'track' ORDER BY item_key"
    )
    assert shared == [("T1", 2), ("T3", 2)]
    assert {r[0] for r in shared} == SHARED_TRACKS
    recent = lake(
        "SELECT item_key FROM affinity WHERE time_window = 'last_90_days' AND item_type = 'track'"
    )
    assert {r[0] for r in recent} == SHARED_TRACKS

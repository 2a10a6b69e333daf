"""Every view runs on DuckDB over known curated files and returns exactly the expected rows.

Two extraction runs (2026-11-20 and 2026-11-24) and a replayed overlap of the
recently-played history: the views keep the latest version of each entity and
never count the same thing twice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from tests.integration.query.conftest import Curated

pytestmark = pytest.mark.integration

RUN1 = datetime(2026, 11, 20, 6, 0, tzinfo=UTC)
RUN2 = datetime(2026, 11, 24, 6, 0, tzinfo=UTC)
DAY1, DAY2 = "2026-11-20", "2026-11-24"

Query = Callable[[str], list[tuple[Any, ...]]]


def lineage(source: str, at: datetime) -> dict[str, Any]:
    return {"source_key": source, "extracted_at": at}


def album(album_id: str, name: str, at: datetime, **extra: Any) -> dict[str, Any]:
    return {
        "album_id": album_id,
        "name": name,
        "release_date": date(1981, 12, 4),
        "total_tracks": 10,
        "url": f"https://open.spotify.com/album/{album_id}",
        **lineage(f"raw/source=albums/album_id={album_id}.json", at),
        **extra,
    }


def track(track_id: str, name: str, popularity: int, at: datetime, source: str) -> dict[str, Any]:
    return {
        "track_id": track_id,
        "name": name,
        "duration_ms": 200_000,
        "explicit": False,
        "popularity": popularity,
        "album_id": "A1",
        "url": f"https://open.spotify.com/track/{track_id}",
        **lineage(source, at),
    }


def credit(
    track_id: str, artist_id: str, position: int, at: datetime, source: str
) -> dict[str, Any]:
    return {
        "track_id": track_id,
        "artist_id": artist_id,
        "position": position,
        **lineage(source, at),
    }


def item(
    playlist: str, snapshot: str, position: int, track_id: str | None, added: datetime, at: datetime
) -> dict[str, Any]:
    uri = f"spotify:track:{track_id}" if track_id else "spotify:local:Someone:Demo:Tape:120"
    return {
        "playlist_id": playlist,
        "snapshot_id": snapshot,
        "position": position,
        "item_type": "track" if track_id else "local",
        "track_id": track_id,
        "track_uri": uri,
        "is_local": track_id is None,
        "added_at": added,
        "added_by": "me",
        **lineage(f"raw/source=playlist_items/playlist_id={playlist}/snapshot_id={snapshot}", at),
    }


def playlist(
    playlist_id: str, snapshot: str, total: int | None, at: datetime, name: str = "Mix"
) -> dict[str, Any]:
    """A ``playlists`` row as the playlist's own metadata object gives it (written last)."""
    key = f"raw/source=playlists/playlist_id={playlist_id}/snapshot_id={snapshot}.json"
    return {
        "playlist_id": playlist_id,
        "snapshot_id": snapshot,
        "name": name,
        "total_items": total,
        **lineage(key, at),
    }


def play(track_id: str, at: datetime, source: str, fetched: datetime) -> dict[str, Any]:
    return {
        "played_at": at,
        "track_id": track_id,
        "context_type": "playlist",
        **lineage(source, fetched),
    }


def ts(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


def populate(curated: Curated) -> Curated:
    src1, src2 = "raw/source=playlist_items/p1-s1", "raw/source=playlist_items/p1-s2"
    curated.put("albums", DAY1, "a1", [album("A1", "Old Name", RUN1)])
    # A2 appears twice in one file (two tracks of the same album), and A1 again in run 2.
    curated.put("albums", DAY2, "a1", [album("A1", "New Name", RUN2)])
    curated.put("albums", DAY2, "a2", [album("A2", "Second", RUN2), album("A2", "Second", RUN2)])
    curated.put(
        "artists",
        DAY1,
        "r",
        [
            {"artist_id": "R1", "name": "R One (old)", "url": None, **lineage("raw/r1", RUN1)},
            {"artist_id": "R2", "name": "R Two", "url": None, **lineage("raw/r2", RUN1)},
        ],
    )
    curated.put(
        "artists",
        DAY2,
        "r",
        [
            {
                "artist_id": "R1",
                "name": "R One",
                "url": "https://open.spotify.com/artist/R1",
                **lineage("raw/r1", RUN2),
            }
        ],
    )
    curated.put(
        "tracks",
        DAY1,
        "t",
        [track("T1", "One (old)", 10, RUN1, src1), track("T2", "Two", 5, RUN1, src1)],
    )
    curated.put(
        "tracks", DAY2, "t", [track("T1", "One", 20, RUN2, src2), track("T2", "Two", 6, RUN2, src2)]
    )
    curated.put(
        "track_artists",
        DAY1,
        "ta",
        [
            credit("T1", "R1", 0, RUN1, src1),
            credit("T1", "R2", 1, RUN1, src1),
            credit("T2", "R2", 0, RUN1, src1),
            credit("T2", "R1", 1, RUN1, src1),  # dropped from T2's credits in run 2
        ],
    )
    curated.put(
        "track_artists",
        DAY2,
        "ta",
        [
            credit("T1", "R1", 0, RUN2, src2),
            credit("T1", "R2", 1, RUN2, src2),
            credit("T2", "R2", 0, RUN2, src2),
        ],
    )
    curated.put(
        "playlists",
        DAY1,
        "p",
        [playlist("P1", "s1", 3, RUN1), playlist("P2", "q1", 1, RUN1, name="Other")],
    )
    curated.put("playlists", DAY2, "p", [playlist("P1", "s2", 3, RUN2)])
    curated.put(
        "playlist_items",
        DAY1,
        "p1-s1",
        [
            item("P1", "s1", 0, "T1", ts(1, 12), RUN1),
            item("P1", "s1", 1, "T2", ts(2, 12), RUN1),
            item("P1", "s1", 2, "T3", ts(3, 12), RUN1),
        ],
    )
    curated.put("playlist_items", DAY1, "p2-q1", [item("P2", "q1", 0, "T1", ts(5, 12), RUN1)])
    curated.put(
        "playlist_items",
        DAY2,
        "p1-s2",
        [
            item("P1", "s2", 0, "T2", ts(2, 12), RUN2),
            item("P1", "s2", 1, None, ts(9, 12), RUN2),
            item("P1", "s2", 2, "T1", ts(10, 12), RUN2),
        ],
    )
    # Overlapping recently-played fetches: the 08:15 play is in both files.
    curated.put(
        "plays",
        DAY1,
        "rp1",
        [play("T1", ts(23, 8, 15), "raw/rp1", RUN2), play("T2", ts(23, 21), "raw/rp1", RUN2)],
    )
    curated.put(
        "plays",
        DAY2,
        "rp2",
        [play("T1", ts(23, 8, 15), "raw/rp2", RUN2), play("T1", ts(24, 8, 45), "raw/rp2", RUN2)],
    )
    return curated


@pytest.fixture(scope="module")
def two_runs(make_curated: Callable[[], Curated]) -> Iterator[Query]:
    """One DuckDB over the two runs, shared by the read-only tests of this module."""
    con = populate(make_curated()).connect()
    yield lambda sql: con.execute(sql).fetchall()
    con.close()


def test_album_keeps_the_latest_version_once_per_album(two_runs: Query) -> None:
    assert two_runs("SELECT * FROM album ORDER BY album_id") == [
        ("A1", "New Name", date(1981, 12, 4), 10, "https://open.spotify.com/album/A1"),
        ("A2", "Second", date(1981, 12, 4), 10, "https://open.spotify.com/album/A2"),
    ]


def test_artist_keeps_the_latest_name_and_builds_missing_links(two_runs: Query) -> None:
    assert two_runs("SELECT * FROM artist ORDER BY artist_id") == [
        ("R1", "R One", "https://open.spotify.com/artist/R1"),
        ("R2", "R Two", "https://open.spotify.com/artist/R2"),
    ]


def test_songs_has_the_seed_columns_latest_version_first_artist_and_last_added(
    two_runs: Query,
) -> None:
    columns = [r[0] for r in two_runs("DESCRIBE songs")]
    assert columns == [
        "song_id",
        "song_name",
        "duration_ms",
        "url",
        "popularity",
        "song_added",
        "album_id",
        "artist_id",
    ]
    assert two_runs("SELECT * FROM songs ORDER BY song_id") == [
        ("T1", "One", 200_000, "https://open.spotify.com/track/T1", 20, ts(10, 12), "A1", "R1"),
        ("T2", "Two", 200_000, "https://open.spotify.com/track/T2", 6, ts(2, 12), "A1", "R2"),
    ]


def test_top_tracks_counts_current_playlist_appearances_and_distinct_plays(two_runs: Query) -> None:
    assert two_runs("SELECT * EXCLUDE (user_id) FROM top_tracks ORDER BY track_id") == [
        ("T1", "One", 2, 2, 2, 1, 1, None),  # recently played: minutes unknown
        ("T2", "Two", 1, 1, 1, 2, 2, None),
    ]


def test_top_artists_credits_every_artist_of_the_latest_track_version(two_runs: Query) -> None:
    assert two_runs("SELECT * EXCLUDE (user_id) FROM top_artists ORDER BY artist_id") == [
        ("R1", "R One", 2, 2, 2, 2, 2, None),
        ("R2", "R Two", 3, 2, 3, 1, 1, None),
    ]


def test_playlist_changes_lists_added_and_removed_items_between_snapshots(two_runs: Query) -> None:
    assert two_runs(
        "SELECT * EXCLUDE (user_id) FROM playlist_changes ORDER BY change, track_uri"
    ) == [
        ("P1", "s2", "s1", RUN2, "added", "spotify:local:Someone:Demo:Tape:120", None),
        ("P1", "s2", "s1", RUN2, "removed", "spotify:track:T3", "T3"),
    ]


def test_listening_by_hour_counts_each_play_once(two_runs: Query) -> None:
    assert two_runs("SELECT * EXCLUDE (user_id) FROM listening_by_hour ORDER BY hour_of_day") == [
        (8, 2, 1, None),
        (21, 1, 1, None),
    ]


def test_current_playlist_items_keeps_only_each_playlists_latest_snapshot(two_runs: Query) -> None:
    assert two_runs(
        "SELECT playlist_id, snapshot_id, position, track_id FROM current_playlist_items "
        "ORDER BY playlist_id, position"
    ) == [
        ("P1", "s2", 0, "T2"),
        ("P1", "s2", 1, None),
        ("P1", "s2", 2, "T1"),
        ("P2", "q1", 0, "T1"),
    ]


def test_current_playlist_items_has_one_row_per_position_when_a_snapshot_is_fetched_again(
    curated: Curated, query: Query
) -> None:
    first = [item("P1", "s1", 0, "T1", ts(1, 12), RUN1), item("P1", "s1", 1, "T2", ts(2, 12), RUN1)]
    again = [item("P1", "s1", 0, "T1", ts(1, 12), RUN2), item("P1", "s1", 1, "T2", ts(2, 12), RUN2)]
    curated.put("playlists", DAY1, "p", [playlist("P1", "s1", 2, RUN1)])
    curated.put("playlist_items", DAY1, "p1-s1", first)
    curated.put("playlist_items", DAY2, "p1-s1", again)
    assert query(
        "SELECT position, track_id, extracted_at FROM current_playlist_items ORDER BY position"
    ) == [(0, "T1", RUN2), (1, "T2", RUN2)]


RUN3 = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)


def now(curated: Curated) -> Query:
    """SQL on the bucket as it is now (a DuckDB over its files at this moment)."""

    def run(sql: str) -> list[tuple[Any, ...]]:
        con = curated.connect()
        try:
            return con.execute(sql).fetchall()
        finally:
            con.close()

    return run


def test_a_snapshot_cut_half_way_never_shows_and_the_previous_complete_one_stays(
    curated: Curated,
) -> None:
    query = now(curated)
    s1 = [item("P1", "s1", n, f"T{n}", ts(1, 12), RUN1) for n in range(3)]
    curated.put("playlists", DAY1, "p1-s1", [playlist("P1", "s1", 3, RUN1)])
    curated.put("playlist_items", DAY1, "p1-s1", s1)
    # a run cut by the quota: the /me/playlists listing says s2 holds 4 items, 2 were stored,
    # and the metadata object (written after the last page) never was
    listed = playlist("P1", "s2", 4, RUN2) | lineage("raw/source=my_playlists/dt=x/page=0", RUN2)
    curated.put("playlists", DAY2, "listing", [listed])
    s2 = [item("P1", "s2", n, f"T{n + 5}", ts(20, 12), RUN2) for n in range(4)]
    curated.put("playlist_items", DAY2, "p1-s2-page0", s2[:2])
    # and an older cut: s0's items stored, no playlists row at all
    curated.put("playlist_items", DAY2, "p1-s0", [item("P1", "s0", 0, "T9", ts(1, 1), RUN2)])

    def current() -> list[tuple[Any, ...]]:
        return query("SELECT DISTINCT snapshot_id FROM current_playlist_items")

    assert current() == [("s1",)]
    assert query("SELECT * FROM playlist_changes") == []
    assert query("SELECT snapshot_id, total_items FROM complete_playlist_snapshots") == [("s1", 3)]

    # the next run reads the stored page back, fetches the rest, then the metadata object
    curated.put("playlist_items", DAY2, "p1-s2-page1", [r | {"extracted_at": RUN3} for r in s2[2:]])
    curated.put("playlists", DAY2, "p1-s2", [playlist("P1", "s2", 4, RUN3)])
    assert current() == [("s2",)]
    assert query("SELECT count(*) FROM current_playlist_items") == [(4,)]
    changes = query("SELECT change, count(*) FROM playlist_changes GROUP BY change ORDER BY 1")
    assert changes == [("added", 4), ("removed", 3)]


def test_an_emptied_playlist_is_current_with_no_items(curated: Curated, query: Query) -> None:
    curated.put("playlists", DAY1, "p1-s1", [playlist("P1", "s1", 1, RUN1)])
    curated.put("playlist_items", DAY1, "p1-s1", [item("P1", "s1", 0, "T1", ts(1, 12), RUN1)])
    curated.put("playlists", DAY2, "p1-s2", [playlist("P1", "s2", 0, RUN2)])
    assert query("SELECT * FROM current_playlist_items") == []
    assert query("SELECT change, track_id FROM playlist_changes") == [("removed", "T1")]


def test_track_activity_has_each_current_appearance_and_each_distinct_play_once(
    two_runs: Query,
) -> None:
    assert two_runs("SELECT * EXCLUDE (user_id) FROM track_activity ORDER BY ALL") == [
        ("T1", "P1", "appearance", None, None),
        ("T1", "P2", "appearance", None, None),
        ("T1", None, "play", None, None),
        ("T1", None, "play", None, None),
        ("T2", "P1", "appearance", None, None),
        ("T2", None, "play", None, None),
    ]


@pytest.mark.parametrize(
    ("base_view", "table"),
    [
        ("latest_tracks", "tracks"),
        ("latest_albums", "albums"),
        ("latest_artists", "artists"),
        ("latest_track_artists", "track_artists"),
        ("current_playlist_items", "playlist_items"),
    ],
)
def test_base_views_have_every_column_of_their_table(
    two_runs: Query, base_view: str, table: str
) -> None:
    columns = [r[:2] for r in two_runs(f"DESCRIBE {base_view}")]
    assert columns == [r[:2] for r in two_runs(f"DESCRIBE {table}")]


def test_latest_track_artists_is_the_credit_list_of_each_tracks_latest_version(
    two_runs: Query,
) -> None:
    assert two_runs(
        "SELECT track_id, artist_id, position FROM latest_track_artists ORDER BY ALL"
    ) == [("T1", "R1", 0), ("T1", "R2", 1), ("T2", "R2", 0)]


def test_replaying_a_run_adds_no_rows_to_any_view(curated: Curated, query: Query) -> None:
    populate(curated)
    views = ("album", "artist", "songs", "top_tracks", "top_artists", "listening_by_hour")
    before = {v: query(f"SELECT * FROM {v} ORDER BY ALL") for v in views}
    # run 2 written again under other file names (a replay with a new source key)
    curated.put("albums", DAY2, "a1-replay", [album("A1", "New Name", RUN2)])
    curated.put("tracks", DAY2, "t-replay", [track("T1", "One", 20, RUN2, "raw/other")])
    curated.put("plays", DAY2, "rp2-replay", [play("T1", ts(24, 8, 45), "raw/rp3", RUN2)])
    fresh = curated.connect()
    after = {v: fresh.execute(f"SELECT * FROM {v} ORDER BY ALL").fetchall() for v in views}
    assert after == before


def test_every_view_runs_with_no_files_at_all(curated: Curated, query: Query) -> None:
    for view in (
        "latest_tracks",
        "latest_albums",
        "latest_artists",
        "latest_track_artists",
        "current_playlist_items",
        "distinct_plays",
        "track_activity",
        "album",
        "artist",
        "songs",
        "top_tracks",
        "top_artists",
        "playlist_changes",
        "listening_by_hour",
    ):
        assert query(f"SELECT * FROM {view}") == []


def test_a_column_no_file_has_yet_reads_as_a_typed_null(curated: Curated, query: Query) -> None:
    curated.put("albums", DAY1, "old", [album("A1", "Old", RUN1)], drop=("uri", "release_year"))
    assert query("SELECT album_id, uri, release_year FROM albums") == [("A1", None, None)]
    assert query("SELECT typeof(release_year), typeof(extracted_at) FROM albums") == [
        ("INTEGER", "TIMESTAMP WITH TIME ZONE")
    ]


def test_files_with_and_without_a_new_column_read_together(curated: Curated, query: Query) -> None:
    curated.put("albums", DAY1, "old", [album("A1", "Old", RUN1)], drop=("uri",))
    curated.put("albums", DAY2, "new", [album("A2", "New", RUN2, uri="spotify:album:A2")])
    assert query("SELECT album_id, uri FROM albums ORDER BY album_id") == [
        ("A1", None),
        ("A2", "spotify:album:A2"),
    ]

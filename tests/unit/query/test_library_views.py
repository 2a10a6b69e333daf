"""The library views on DuckDB, over what the transformer makes of the fake's library pages.

Each "run" fetches pages from the fake (no HTTP: its answers are spec-checked
elsewhere), transforms them under the extractor's keys (``run=<id>``) and
writes the tables as curated Parquet; the views then read every run so far.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest
from fake_spotify.api import FakeWebApi
from fake_spotify.catalog import CatalogSpec, build_catalog
from fake_spotify.tokens import USER_SCOPES
from spotify_etl.query.local_engine import connect, run_query
from spotify_etl_common.keys import library_page_key
from spotify_etl_common.sources import Source
from spotify_etl_common.tables import TABLES
from spotify_etl_views import load_views
from transformer.core import RawObject, transform

BASE = "https://api.spotify.com/v1"
START = datetime(2026, 12, 1, 8, tzinfo=UTC)


class Lake:
    """The fake, and curated Parquet of every run in a local folder laid out like the bucket."""

    def __init__(self, root: Path) -> None:
        self.catalog = build_catalog(CatalogSpec(playlists=1, items=20, plays=5, saved_tracks=120))
        self.fake = FakeWebApi(self.catalog)
        self.token = self.fake.tokens.issue(True, USER_SCOPES)
        self.root = root
        self.runs = 0

    def get(self, path: str, **query: str) -> bytes:
        reply = self.fake.handle_api(path, dict(query), f"Bearer {self.token}", BASE)
        assert reply.status == 200, reply.body
        return json.dumps(reply.body).encode()

    def run(
        self,
        pages: list[tuple[Source, str, dict[str, str]]],
        edit: Callable[[dict[str, Any]], None] | None = None,
    ) -> None:
        """One extractor run: fetch ``pages`` (source, path, query) and store their rows;
        ``edit`` changes each answer first (to give it a shape a real recording has)."""
        self.runs += 1
        at = START + timedelta(hours=self.runs)
        run_id = f"{at:%Y%m%dT%H%M%SZ}-run{self.runs}"
        objects = []
        for number, (source, path, query) in enumerate(pages):
            key = library_page_key(source, run_id, at.date(), number, query.get("time_range"))
            body = self.get(path, **query)
            if edit is not None:
                answer = json.loads(body)
                edit(answer)
                body = json.dumps(answer).encode()
            objects.append(RawObject(key, body, at + timedelta(seconds=number)))
        for table, frame in transform(objects).tables.items():
            folder = self.root / "b" / "curated" / table / f"dt={at.date()}"
            folder.mkdir(parents=True, exist_ok=True)
            frame.write_parquet(folder / f"{run_id}.parquet")

    def saved_tracks(self, pages: int | None = None) -> None:
        """A run listing ``/me/tracks`` 50 at a time: every page, or the first ``pages``."""
        total = len(self.catalog.library.tracks)
        offsets = range(0, max(total, 1), 50)
        chosen = list(offsets)[:pages] if pages else offsets
        self.run(
            [(Source.SAVED_TRACKS, "/me/tracks", {"limit": "50", "offset": str(o)}) for o in chosen]
        )

    def query(self, sql: str) -> list[tuple[object, ...]]:
        curated = self.root / "b" / "curated"
        files = {t: sorted(str(p) for p in (curated / t).rglob("*.parquet")) for t in TABLES}
        con: duckdb.DuckDBPyConnection = connect(files, TABLES, load_views())
        try:
            return list(run_query(con, sql).rows)
        finally:
            con.close()


@pytest.fixture
def lake(tmp_path: Path) -> Lake:
    return Lake(tmp_path)


def saved_ids(lake: Lake) -> list[str]:
    return [str(r[0]) for r in lake.query("SELECT track_id FROM library_tracks")]


def test_library_tracks_is_the_full_listing_plus_what_incremental_runs_added(lake: Lake) -> None:
    lake.saved_tracks()  # full
    first = {s.id for s in lake.catalog.library.tracks}
    new = lake.catalog.save_new_release(3)
    lake.saved_tracks(pages=1)  # incremental: the first page holds the new ones
    ids = saved_ids(lake)
    assert len(ids) == len(set(ids)) == 123
    assert set(ids) == first | set(new)
    rows = lake.query("SELECT track_id, name, artist_name, album_name FROM library_tracks")
    assert all(name and artist and album for _, name, artist, album in rows)


def test_a_removal_shows_once_the_next_full_listing_ran(lake: Lake) -> None:
    lake.saved_tracks()
    gone = lake.catalog.library.tracks[-1].id
    lake.catalog.library.unsave("tracks", [gone])
    lake.saved_tracks(pages=1)
    assert gone in saved_ids(lake)  # incremental listings cannot see removals
    lake.saved_tracks()
    ids = saved_ids(lake)
    assert gone not in ids
    assert set(ids) == {s.id for s in lake.catalog.library.tracks}


def test_an_unfinished_full_listing_does_not_replace_the_last_complete_one(lake: Lake) -> None:
    lake.saved_tracks()
    lake.catalog.library.unsave("tracks", [lake.catalog.library.tracks[-1].id])
    before = set(saved_ids(lake))
    lake.saved_tracks(pages=2)  # a run that stopped after two of three pages
    assert set(saved_ids(lake)) == before


def test_library_albums_and_shows_hold_what_is_saved_with_names(lake: Lake) -> None:
    lake.run(
        [
            (Source.SAVED_ALBUMS, "/me/albums", {"limit": "50"}),
            (Source.SAVED_SHOWS, "/me/shows", {"limit": "50"}),
        ]
    )
    albums = lake.query(
        "SELECT album_id, name, added_at FROM library_albums ORDER BY added_at DESC"
    )
    shows = lake.query("SELECT show_id, name FROM library_shows")
    library = lake.catalog.library
    assert [(a, n) for a, n, _ in albums] == [
        (s.id, lake.catalog.albums[s.id].name) for s in library.albums
    ]
    assert dict(shows) == {s.id: lake.catalog.shows[s.id].name for s in library.shows}


def test_a_newer_thinner_embedded_show_never_blanks_what_a_full_show_object_gave(
    lake: Lake,
) -> None:
    lake.run([(Source.SAVED_SHOWS, "/me/shows", {"limit": "50"})])  # full show objects
    full = dict(lake.query("SELECT show_id, total_episodes FROM library_shows"))
    saved = {s.id for s in lake.catalog.library.shows}
    assert full == {s: len(lake.catalog.shows[s].episode_ids) for s in saved}
    assert all(count for count in full.values())

    def thin(answer: dict[str, Any]) -> None:
        # an episode's show as java-GetPlaylistsItemsRequest_Episode.json has it: no
        # total_episodes; renamed meanwhile, so the newer row still wins where it speaks
        for item in answer["items"]:
            show = item["episode"]["show"]
            del show["total_episodes"]
            show["name"] = f"{show['name']} (renamed)"

    lake.run([(Source.SAVED_EPISODES, "/me/episodes", {"limit": "50"})], edit=thin)
    embedded = {
        str(r[0]) for r in lake.query("SELECT show_id FROM shows WHERE total_episodes IS NULL")
    }
    assert embedded & saved  # the newer, thinner rows are there ...
    rows = lake.query("SELECT show_id, name, total_episodes FROM library_shows")
    assert {s: n for s, _, n in rows} == full  # ... and blank nothing
    for show_id, name, _ in rows:
        original = lake.catalog.shows[show_id].name
        assert name == (f"{original} (renamed)" if show_id in embedded else original)


def top_run(lake: Lake, limit: str = "50") -> None:
    """A snapshot of every range's top artists (only the first page of each: a run stopped
    half-way, when ``limit`` is smaller than the rankings)."""
    lake.run(
        [
            (Source.TOP_ARTISTS, "/me/top/artists", {"time_range": r, "limit": limit})
            for r in ("short_term", "medium_term", "long_term")
        ]
    )


def test_top_items_latest_is_the_newest_snapshot_of_each_range(lake: Lake) -> None:
    top_run(lake)
    lake.catalog.library.shift_taste("short_term", by=2)
    top_run(lake)
    expected = {
        r: list(ids) for (kind, r), ids in lake.catalog.library.top.items() if kind == "artists"
    }
    lake.catalog.library.shift_taste("short_term", by=1)
    top_run(lake, limit="2")  # incomplete: passed over
    rows = lake.query(
        "SELECT time_range, item_id FROM top_items_latest WHERE item_type = 'artist' "
        "ORDER BY time_range, rank"
    )
    for time_range in ("short_term", "medium_term", "long_term"):
        got = [i for r, i in rows if r == time_range]
        assert got == expected[time_range]


def test_taste_drift_says_who_entered_left_and_moved_by_how_much(lake: Lake) -> None:
    lake.catalog.library.top[("artists", "short_term")] = list(lake.catalog.artists)[:4]
    before = list(lake.catalog.library.top[("artists", "short_term")])
    top_run(lake)
    others = [a for a in lake.catalog.artists if a not in before]
    after = [before[2], others[0], before[0], before[3]]  # 1 left, another entered, two moved
    lake.catalog.library.top[("artists", "short_term")] = after
    top_run(lake)
    lake.catalog.library.top[("artists", "short_term")] = before[::-1]
    top_run(lake, limit="2")  # incomplete: not compared
    rows = lake.query(
        "SELECT artist_id, change, rank, previous_rank, rank_delta FROM taste_drift "
        "WHERE time_range = 'short_term'"
    )
    expected = set()
    for artist in set(before) | set(after):
        old = before.index(artist) + 1 if artist in before else None
        new = after.index(artist) + 1 if artist in after else None
        if old is None:
            expected.add((artist, "entered", new, None, None))
        elif new is None:
            expected.add((artist, "left", None, old, None))
        elif old != new:
            expected.add((artist, "moved", new, old, old - new))
    assert set(rows) == expected
    assert not lake.query("SELECT * FROM taste_drift WHERE time_range = 'long_term'")


def test_followed_artists_current_is_the_newest_complete_snapshot(lake: Lake) -> None:
    follows = lake.catalog.library.followed_artists
    lake.run([(Source.FOLLOWED_ARTISTS, "/me/following", {"type": "artist", "limit": "50"})])
    gone = follows.pop()
    lake.run([(Source.FOLLOWED_ARTISTS, "/me/following", {"type": "artist", "limit": "2"})])
    assert gone in {r[0] for r in lake.query("SELECT artist_id FROM followed_artists_current")}
    lake.run([(Source.FOLLOWED_ARTISTS, "/me/following", {"type": "artist", "limit": "50"})])
    current = lake.query("SELECT artist_id, name FROM followed_artists_current")
    assert {a for a, _ in current} == set(follows)
    assert all(name for _, name in current)

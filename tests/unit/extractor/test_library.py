"""The library sources of a run, against the fake's core behind a MockTransport."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from extractor.main import auth_scopes
from extractor.run import RunPlan, RunReport
from extractor.settings import SpotifyAppSettings
from extractor.sources.library import (
    LibraryConfigError,
    LibraryPlan,
    LibrarySource,
    library_scopes,
    parse_library,
    split_mine,
)
from extractor.sources.library_models import SavedPage
from extractor.sources.library_saved import SavedState, full_due, reaches_stored
from extractor.sources.refs import parse_playlist_refs
from extractor.state.documents import (
    LEGACY_SHOWS_STATE,
    PENDING_STATE,
    LegacyPendingShows,
    PendingEntities,
)
from fake_spotify.api import FakeConfig, FakeWebApi
from fake_spotify.catalog import OWNER_ID, CatalogSpec, build_catalog
from spotify_etl_common.keys import state_key, user_state_key
from spotify_etl_common.sources import Source

from tests.unit.extractor.library_doubles import FakeTransport, MemorySink, MemoryStore, run

DAY0 = datetime(2026, 12, 1, 6, tzinfo=UTC)
ALL = LibraryPlan(sources=tuple(LibrarySource))


class Harness:
    def __init__(self, saved_tracks: int = 120, **config: object) -> None:
        spec = CatalogSpec(playlists=2, items=20, plays=5, saved_tracks=saved_tracks)
        self.catalog = build_catalog(spec)
        self.fake = FakeWebApi(self.catalog, FakeConfig(**config))  # type: ignore[arg-type]
        self.store = MemoryStore()
        self.sink = MemorySink()

    def run(
        self, plan: RunPlan, at: datetime, refresh_token: str = "fake-refresh-token"
    ) -> tuple[RunReport, FakeTransport]:
        transport = FakeTransport(self.fake, refresh_token)
        report = asyncio.run(run(transport, self.store, self.sink, plan, at))
        return report, transport


def saved_only(*sources: LibrarySource, full_every: float = 7) -> RunPlan:
    return RunPlan(library=LibraryPlan(sources=sources, full_every=timedelta(days=full_every)))


def test_library_config_is_a_comma_list_or_all() -> None:
    assert parse_library("all") == tuple(LibrarySource)
    assert parse_library(" top_items, saved_tracks ,top_items") == (
        LibrarySource.SAVED_TRACKS,
        LibrarySource.TOP_ITEMS,
    )
    assert parse_library("") == ()
    with pytest.raises(LibraryConfigError, match="'liked_songs'"):
        parse_library("saved_tracks,liked_songs")
    assert split_mine("mine") == (True, "")
    assert split_mine("abc, MINE ,def") == (True, "abc,def")
    assert split_mine("abc") == (False, "abc")


def test_auth_asks_for_the_scopes_the_configured_sources_need() -> None:
    settings = SpotifyAppSettings.model_validate(
        {
            "SPOTIFY_CLIENT_ID": "i",
            "SPOTIFY_CLIENT_SECRET": "s",
            "EXTRACTOR_PLAYLISTS": "mine",
            "EXTRACTOR_LIBRARY": "top_items,followed_artists",
        }
    )
    assert auth_scopes(settings) == [
        "playlist-read-private",
        "playlist-read-collaborative",
        "user-top-read",
        "user-follow-read",
    ]
    assert "user-read-playback-position" in library_scopes(tuple(LibrarySource), mine=False)


def test_a_page_reaches_what_is_stored_at_the_newest_item_seen_or_anything_older() -> None:
    page = SavedPage.model_validate(
        {
            "items": [
                {"added_at": "2026-12-02T10:00:00Z", "track": {"id": "new"}},
                {"added_at": "2026-12-01T10:00:00Z", "track": {"id": "same-second"}},
            ]
        }
    )
    at = "2026-12-01T10:00:00Z"
    assert reaches_stored(page, "track", SavedState(newest_added_at=at, newest_id="same-second"))
    assert not reaches_stored(page, "track", SavedState(newest_added_at=at, newest_id="other"))
    older = "2026-11-30T10:00:00Z"
    assert not reaches_stored(page, "track", SavedState(newest_added_at=older, newest_id="x"))
    assert reaches_stored(
        page, "track", SavedState(newest_added_at="2026-12-01T12:00:00Z", newest_id="gone")
    )
    assert not reaches_stored(page, "track", SavedState())
    assert full_due(None, DAY0, timedelta(days=7))
    seen = SavedState(full_at=DAY0)
    assert not full_due(seen, DAY0 + timedelta(days=6), timedelta(days=7))
    assert full_due(seen, DAY0 + timedelta(days=7), timedelta(days=7))


def test_saved_tracks_are_listed_in_full_then_only_until_a_stored_item() -> None:
    h = Harness(saved_tracks=120)
    plan = saved_only(LibrarySource.SAVED_TRACKS)
    first, fetched = h.run(plan, DAY0)
    assert first.ok, first.summary_lines()
    assert fetched.paths["/me/tracks"] == 3
    h.catalog.save_new_release(3)
    report, fetched = h.run(plan, DAY0 + timedelta(days=1))
    assert fetched.paths["/me/tracks"] == 1
    h.catalog.save_new_release(50)  # the stored one moves to the second page
    report, fetched = h.run(plan, DAY0 + timedelta(days=2))
    assert fetched.paths["/me/tracks"] == 2
    report, fetched = h.run(plan, DAY0 + timedelta(days=7))
    assert fetched.paths["/me/tracks"] == 4  # 173 saved: a full listing again
    assert report.ok
    pages = [m for m in h.sink.messages if m.source is Source.SAVED_TRACKS]
    assert len(pages) == 3 + 1 + 2 + 4
    assert len({m.key for m in pages}) == len(pages)
    assert all(m.key in h.store.objects for m in pages)
    assert pages[0].key == (
        f"raw/source=saved_tracks/user=fake-user/dt=2026-12-01/run={DAY0:%Y%m%dT%H%M%SZ}-test/"
        "page=0000.json"
    )


def test_the_albums_and_artists_of_saved_tracks_are_fetched_within_the_bound() -> None:
    h = Harness(saved_tracks=40)
    plan = RunPlan(library=LibraryPlan(sources=(LibrarySource.SAVED_TRACKS,)), max_entities=7)
    report, fetched = h.run(plan, DAY0)
    entity_requests = sum(
        n for p, n in fetched.paths.items() if p.startswith(("/albums/", "/artists/"))
    )
    assert entity_requests == 7
    assert report.ok


def test_mine_extracts_own_and_collaborative_playlists_and_leaves_the_others() -> None:
    h = Harness()
    own = h.catalog.own_playlist_ids
    collaborative = [p.id for p in h.catalog.playlists.values() if p.collaborative]
    others = [p for p in h.catalog.playlists if p not in own and p not in collaborative]
    plan = RunPlan(
        playlists=parse_playlist_refs(own[0]), library=LibraryPlan(mine=True), max_entities=0
    )
    report, fetched = h.run(plan, DAY0)
    assert report.ok, report.summary_lines()
    items = {p.split("/")[2] for p in fetched.paths if p.endswith("/items")}
    assert items == set(own) | set(collaborative)
    assert others
    assert not [p for p in fetched.paths if any(o in p for o in others)]
    assert fetched.paths[f"/playlists/{own[0]}"] == 1  # configured and mine: extracted once
    listed = [m for m in h.sink.messages if m.source is Source.MY_PLAYLISTS]
    assert len(listed) == 1
    h.catalog.touch(collaborative[0])
    again, fetched = h.run(plan, DAY0 + timedelta(hours=1))
    assert again.ok
    # unchanged playlists are skipped from the listing's snapshot ids, without a request
    assert {p.split("/")[2] for p in fetched.paths if p.startswith("/playlists/")} == {
        own[0],
        collaborative[0],
    }


def test_every_library_source_in_one_run_and_shows_fetched_once() -> None:
    h = Harness()
    first, fetched = h.run(RunPlan(library=ALL, max_entities=0), DAY0)
    assert first.ok, first.summary_lines()
    for time_range in ("short_term", "medium_term", "long_term"):
        assert any(
            f"time_range={time_range}/" in m.key and m.source is Source.TOP_ARTISTS
            for m in h.sink.messages
        )
    saved_shows = {s.id for s in h.catalog.library.shows}
    assert {p.split("/")[2] for p in fetched.paths if p.startswith("/shows/")} == saved_shows
    assert fetched.paths["/me/following"] == 1
    _, fetched = h.run(RunPlan(library=ALL, max_entities=0), DAY0 + timedelta(hours=1))
    assert not [p for p in fetched.paths if p.startswith("/shows/")]
    assert fetched.paths["/me/top/artists"] == 3  # a snapshot every run


def test_a_missing_scope_fails_that_source_with_one_line_and_the_others_go_on() -> None:
    h = Harness(scoped_refresh_tokens={"top-only": "user-top-read"})
    report, _ = h.run(RunPlan(library=ALL, max_entities=0), DAY0, refresh_token="top-only")
    failed = {o.source: o.error for o in report.failures}
    assert set(failed) == {
        "saved tracks",
        "saved albums",
        "saved shows",
        "saved episodes",
        "followed artists",
    }
    assert "user-library-read" in (failed["saved tracks"] or "")
    assert "extractor auth" in (failed["saved tracks"] or "")
    assert any(o.source == "top items" and o.objects == 6 for o in report.outcomes)


class FailingSecondPage(FakeTransport):
    """``/me/tracks`` past the first page answers 500 while ``failing`` is set."""

    failing = True

    def __call__(self, request: httpx.Request) -> httpx.Response:
        offset = request.url.params.get("offset", "0")
        if self.failing and request.url.path.endswith("/me/tracks") and offset != "0":
            self.paths["/me/tracks (failed)"] += 1
            return httpx.Response(500, content=b'{"error": {"status": 500, "message": "x"}}')
        return super().__call__(request)


def test_an_incremental_run_that_fails_half_way_keeps_its_pages_and_not_its_position() -> None:
    h = Harness(saved_tracks=60)
    plan = saved_only(LibrarySource.SAVED_TRACKS)
    h.run(plan, DAY0)
    new = h.catalog.save_new_release(55)  # the next listing needs two pages
    broken = FailingSecondPage(h.fake)
    report = asyncio.run(run(broken, h.store, h.sink, plan, DAY0 + timedelta(days=1)))
    assert [o.source for o in report.failures] == ["saved tracks"]
    assert "the next run will try again" in (report.failures[0].error or "")
    announced = {m.key for m in h.sink.messages if m.source is Source.SAVED_TRACKS}
    assert len(announced) == 2 + 1  # the first run's two pages, and this run's first
    _, fetched = h.run(plan, DAY0 + timedelta(days=1, hours=1))
    assert fetched.paths["/me/tracks"] == 2  # from the top again, down to the stored track
    listed = [
        m.key for m in h.sink.messages if m.source is Source.SAVED_TRACKS and "T070000Z" in m.key
    ]
    assert len(listed) == 2
    state = SavedState.model_validate_json(
        h.store.objects[user_state_key(OWNER_ID, "library-saved_tracks")]
    )
    assert state.newest_id == h.catalog.library.tracks[0].id
    assert state.newest_id in new


class Killed(BaseException):
    """The process dying mid-run: nothing after it runs, no handler of the run sees it."""


class KilledAtShows(FakeTransport):
    """The first ``GET /shows/{id}`` kills the run while ``kill`` is set; ``/me/shows``
    answers 500 while ``listing_fails`` is set."""

    kill = True
    listing_fails = False

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path.removeprefix("/v1")
        if self.kill and path.startswith("/shows/"):
            raise Killed(path)
        if self.listing_fails and path == "/me/shows":
            self.paths["/me/shows (failed)"] += 1
            return httpx.Response(500, content=b'{"error": {"status": 500, "message": "x"}}')
        return super().__call__(request)


def _journal(h: Harness) -> PendingEntities:
    raw = h.store.objects.get(state_key(PENDING_STATE))
    return PendingEntities.model_validate_json(raw) if raw else PendingEntities()


def test_a_run_killed_after_the_saved_shows_listing_loses_no_show() -> None:
    h = Harness()
    plan = saved_only(LibrarySource.SAVED_SHOWS)
    saved_shows = sorted(s.id for s in h.catalog.library.shows)
    killed = KilledAtShows(h.fake)
    with pytest.raises(Killed):
        asyncio.run(run(killed, h.store, h.sink, plan, DAY0))
    # the listing's state moved past the shows before any was fetched ...
    assert user_state_key(OWNER_ID, "library-saved_shows") in h.store.objects
    assert not [k for k in h.store.objects if k.startswith("raw/source=shows/")]
    # ... and they were journaled before it moved
    assert _journal(h).shows == saved_shows
    # the next run cannot even list saved shows: the journal alone brings every show
    again = KilledAtShows(h.fake)
    again.kill, again.listing_fails = False, True
    report = asyncio.run(run(again, h.store, h.sink, plan, DAY0 + timedelta(hours=1)))
    assert [o.source for o in report.failures] == ["saved shows"]
    assert sorted(p.split("/")[2] for p in again.paths if p.startswith("/shows/")) == saved_shows
    announced = sorted(m.entity_id or "" for m in h.sink.messages if m.source is Source.SHOWS)
    assert announced == saved_shows
    assert _journal(h).shows == []


def test_shows_have_their_own_bound_and_the_rest_waits_in_the_journal() -> None:
    h = Harness()
    plan = RunPlan(library=LibraryPlan(sources=(LibrarySource.SAVED_SHOWS,), max_shows=1))
    saved_shows = sorted(s.id for s in h.catalog.library.shows)
    assert len(saved_shows) == 2
    first, fetched = h.run(plan, DAY0)
    assert [p for p in fetched.paths if p.startswith("/shows/")] == [f"/shows/{saved_shows[0]}"]
    assert first.deferred_entities == 1
    assert _journal(h).shows == saved_shows[1:]
    _, fetched = h.run(plan, DAY0 + timedelta(hours=1))
    assert [p for p in fetched.paths if p.startswith("/shows/")] == [f"/shows/{saved_shows[1]}"]
    assert _journal(h).shows == []


def test_the_old_shows_pending_document_is_migrated_into_the_journal_once() -> None:
    h = Harness()
    show_id = sorted(h.catalog.shows)[0]
    legacy = state_key(LEGACY_SHOWS_STATE)
    h.store.objects[legacy] = json.dumps({"shows": [show_id]}).encode()
    plan = saved_only(LibrarySource.SAVED_TRACKS)  # no source of this run references shows
    report, fetched = h.run(plan, DAY0)
    assert report.ok, report.summary_lines()
    assert fetched.paths[f"/shows/{show_id}"] == 1
    assert [m.entity_id for m in h.sink.messages if m.source is Source.SHOWS] == [show_id]
    assert LegacyPendingShows.model_validate_json(h.store.objects[legacy]).shows == []
    assert _journal(h).shows == []
    _, fetched = h.run(plan, DAY0 + timedelta(hours=1))
    assert not [p for p in fetched.paths if p.startswith("/shows/")]

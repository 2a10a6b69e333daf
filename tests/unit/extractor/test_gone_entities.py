"""Entities answering 404: retried for EXTRACTOR_GONE_AFTER runs, then recorded as gone."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from extractor.run import RunPlan
from extractor.sources.refs import parse_playlist_refs
from extractor.state.documents import PENDING_STATE, PendingEntities, StateStore
from extractor.state.gone import clear, parse_entity, record_missing
from fake_spotify.api import FakeWebApi
from fake_spotify.catalog import CatalogSpec, build_catalog
from spotify_etl_common.gone import GoneEntities, gone_key
from spotify_etl_common.keys import entity_key, state_key
from spotify_etl_common.sources import Source

from tests.unit.extractor.library_doubles import FakeTransport, MemorySink, MemoryStore, run

STARTED = datetime(2026, 12, 1, 6, tzinfo=UTC)
NOT_FOUND = {"error": {"status": 404, "message": "Non existing id"}}


class Missing(FakeTransport):
    """The fake, except that ``paths`` answer 404 (gone from Spotify's catalogue)."""

    def __init__(self, fake: FakeWebApi, missing: set[str]) -> None:
        super().__init__(fake)
        self.missing = missing

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path.removeprefix("/v1")
        if path in self.missing:
            self.paths[path] += 1
            return httpx.Response(404, content=json.dumps(NOT_FOUND).encode())
        return super().__call__(request)


def test_a_404_counts_once_per_run_and_is_gone_at_the_bound() -> None:
    entity = (Source.ALBUMS, "a1")
    document = GoneEntities()
    for hour, gone in ((0, False), (0, False), (1, False), (2, True)):
        now = STARTED + timedelta(hours=hour)
        document, now_gone = record_missing(document, entity, 404, "Non existing id", now, 3)
        assert now_gone is gone
    [entry] = document.entries
    assert (entry.runs, entry.first_seen, entry.last_seen) == (3, STARTED, now)
    assert document.gone() == [entry]


def test_entities_are_named_source_colon_id() -> None:
    assert parse_entity("albums:abc") == (Source.ALBUMS, "abc")
    for bad in ("abc", "playlists:abc", "albums:"):
        with pytest.raises(ValueError, match="is not <albums"):
            parse_entity(bad)


def test_an_album_answering_404_is_retried_then_recorded_as_gone_then_retried_on_request() -> None:
    catalog = build_catalog(CatalogSpec(playlists=1, items=20, plays=0))
    [playlist_id] = catalog.own_playlist_ids
    album = next(iter(catalog.albums))
    path = f"/albums/{album}"
    plan = RunPlan(playlists=parse_playlist_refs(playlist_id), max_entities=500, gone_after=3)
    store = MemoryStore()
    fake = FakeWebApi(catalog)

    def extract(hour: int, missing: set[str]) -> tuple[list[str], Missing]:
        transport = Missing(fake, missing)
        report = asyncio.run(
            run(transport, store, MemorySink(), plan, STARTED + timedelta(hours=hour))
        )
        assert report.ok, report.summary_lines()  # a 404 is a warning, not a failure
        return [w for w in report.warnings if album in w], transport

    def journaled() -> set[str]:
        raw = store.objects.get(state_key(PENDING_STATE))
        return set(PendingEntities.model_validate_json(raw).albums) if raw else set()

    for hour in (0, 1):
        warned, transport = extract(hour, {path})
        assert transport.paths[path] == 1
        assert len(warned) == 1
        assert "answered 404 (Non existing id)" in warned[0]
        assert album in journaled()  # the next run tries again
    warned, _ = extract(2, {path})
    assert "now recorded as gone" in warned[0]
    assert album not in journaled()
    [entry] = GoneEntities.model_validate_json(store.objects[gone_key()]).gone()
    assert (entry.source, entry.entity_id, entry.status, entry.runs) == (
        Source.ALBUMS,
        album,
        404,
        3,
    )
    assert entry.message == "Non existing id"
    assert (entry.first_seen, entry.last_seen) == (STARTED, STARTED + timedelta(hours=2))

    catalog.touch(playlist_id)  # referenced again by a new snapshot: still not fetched
    warned, transport = extract(3, {path})
    assert transport.paths[path] == 0
    assert warned == []

    assert asyncio.run(clear(StateStore(store), None)) == [(Source.ALBUMS, album)]
    assert album in journaled()
    warned, transport = extract(4, set())  # back in the catalogue
    assert transport.paths[path] == 1
    assert entity_key(Source.ALBUMS, album) in store.objects
    assert GoneEntities.model_validate_json(store.objects[gone_key()]).entries == []

"""Tracks the imported history wants: taken into the journal, fetched within the budget."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from extractor.run import RunPlan
from extractor.state.documents import PENDING_STATE, PendingEntities, StateStore
from extractor.state.journal import Entity, PendingJournal
from extractor.state.wanted import take_wanted
from fake_spotify.api import FakeWebApi
from fake_spotify.catalog import CatalogSpec, build_catalog
from spotify_etl_common.gone import GoneEntities, gone_key
from spotify_etl_common.keys import entity_key, state_key
from spotify_etl_common.sources import Source
from spotify_etl_common.wanted import WantedTracks, add_wanted, wanted_key

from tests.unit.extractor.library_doubles import FakeTransport, MemorySink, MemoryStore, run

STARTED = datetime(2026, 12, 1, 6, tzinfo=UTC)
UNKNOWN = "0" * 22
"""A well-formed id the catalogue does not have: answers 404."""


def _journaled(store: MemoryStore) -> list[str]:
    raw = store.objects.get(state_key(PENDING_STATE))
    return PendingEntities.model_validate_json(raw).tracks if raw else []


def _tracks_asked(transport: FakeTransport) -> list[str]:
    return [p.removeprefix("/tracks/") for p in transport.order if p.startswith("/tracks/")]


def test_wanted_tracks_are_fetched_one_get_each_within_the_budget_over_runs_and_never_again() -> (
    None
):
    catalog = build_catalog(CatalogSpec(playlists=0, items=0, plays=0, saved_tracks=8))
    known = sorted(catalog.tracks)[:8]
    stored = known[0]  # fetched before: has a raw object, never asked again
    store = MemoryStore()
    store.objects[entity_key(Source.TRACKS, stored)] = b"{}"
    asyncio.run(add_wanted(store, [*known, UNKNOWN]))
    plan = RunPlan(max_entities=3, gone_after=2)
    fake = FakeWebApi(catalog)

    asked: list[list[str]] = []
    for hour in range(5):
        transport = FakeTransport(fake)
        report = asyncio.run(
            run(transport, store, MemorySink(), plan, STARTED + timedelta(hours=hour))
        )
        assert not report.failures, report.summary_lines()
        asked.append(_tracks_asked(transport))
        if hour == 0:  # taken from the document into the journal at once
            assert WantedTracks.model_validate_json(store.objects[wanted_key()]).track_ids == []

    # 7 tracks to fetch and a 404 asked twice: the budget per run, then nothing
    assert [len(a) for a in asked] == [3, 3, 3, 0, 0]
    everything = [t for a in asked for t in a]
    assert stored not in everything
    assert sorted(set(everything)) == sorted([*known[1:], UNKNOWN])
    assert [UNKNOWN in a for a in asked] == [True, True, False, False, False]  # then gone
    assert len(everything) == len(known[1:]) + 2
    for track in known:
        assert entity_key(Source.TRACKS, track) in store.objects
    assert _journaled(store) == []
    [gone] = GoneEntities.model_validate_json(store.objects[gone_key()]).gone()
    assert (gone.source, gone.entity_id) == (Source.TRACKS, UNKNOWN)


def test_an_import_writing_while_a_run_takes_the_document_loses_nothing() -> None:
    store = MemoryStore()
    asyncio.run(add_wanted(store, ["a" * 22]))
    state = StateStore(store)

    async def take() -> None:
        journal = await PendingJournal.load(state)

        async def stored_while_an_import_writes() -> set[Entity]:
            await add_wanted(store, ["b" * 22])  # between the run's read and its emptying
            return set()

        taken = await take_wanted(state, journal, stored_while_an_import_writes, lambda e: False)
        assert taken is not None
        assert not taken.emptied
        assert journal.entities == {(Source.TRACKS, "a" * 22)}

    asyncio.run(take())
    document = WantedTracks.model_validate_json(store.objects[wanted_key()])
    assert document.track_ids == ["a" * 22, "b" * 22]  # the next run takes both

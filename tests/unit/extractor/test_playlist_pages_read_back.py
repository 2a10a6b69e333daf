"""Pages an earlier run stored are read back; one listed but gone is fetched and written."""

from __future__ import annotations

from datetime import UTC, datetime

from extractor.run import RunPlan
from extractor.sources.refs import parse_playlist_refs
from fake_spotify.api import FakeWebApi
from fake_spotify.catalog import OWNER_ID, CatalogSpec, build_catalog
from spotify_etl_common.keys import playlist_items_key
from spotify_etl_common.sources import Source

from tests.unit.extractor.library_doubles import FakeTransport, MemorySink, MemoryStore, run

STARTED = datetime(2026, 11, 24, 12, tzinfo=UTC)


class VanishingStore(MemoryStore):
    """Lists ``gone`` as stored, but reading it finds nothing (deleted in between)."""

    def __init__(self, gone: str) -> None:
        super().__init__()
        self.gone = gone

    async def get_or_none(self, key: str) -> bytes | None:
        return None if key == self.gone else await super().get_or_none(key)


async def test_a_page_listed_as_stored_but_gone_is_fetched_written_and_announced_once() -> None:
    catalog = build_catalog(CatalogSpec(playlists=1, items=120, plays=0))
    [playlist_id] = catalog.own_playlist_ids
    snapshot = catalog.playlists[playlist_id].snapshot_id
    first, second = (playlist_items_key(playlist_id, snapshot, n, OWNER_ID) for n in (0, 1))
    store = VanishingStore(gone=first)
    store.objects[first] = b"stale listing only"
    plan = RunPlan(playlists=parse_playlist_refs(playlist_id), max_entities=0)
    # what an earlier run stored: page 1 stays readable, page 0 is listed but gone
    reference = MemoryStore()
    await run(FakeTransport(FakeWebApi(catalog)), reference, MemorySink(), plan, STARTED)
    store.objects[second] = reference.objects[second]

    sink = MemorySink()
    report = await run(FakeTransport(FakeWebApi(catalog)), store, sink, plan, STARTED)

    assert report.ok, report.summary_lines()
    pages = [m.key for m in sink.messages if m.source is Source.PLAYLIST_ITEMS]
    assert sorted(pages) == sorted(
        playlist_items_key(playlist_id, snapshot, n, OWNER_ID) for n in range(3)
    )
    assert store.objects[first] == reference.objects[first]  # fetched again and written
    assert store.objects[second] == reference.objects[second]  # read back as it was

"""The library part of one run: ``mine`` and every ``EXTRACTOR_LIBRARY`` source, side by side.

Each source runs through the run's ``run_source`` (which journals and fetches
the albums and artists it references, as for playlists); the playlists
``mine`` finds go through ``run_playlist`` unless configured by id already or
unchanged (the listing's ``snapshot_id`` is the one last extracted: skipped
without a request). The shows saved shows and episodes reference are among the
references ``run_source`` journals and fetches (under their own bound).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Collection

from extractor.outcome import Outcome, Status
from extractor.output import Publisher
from extractor.sources.library import LibraryPlan, LibrarySource
from extractor.sources.library_mine import extract_mine
from extractor.sources.library_pages import LibraryResult
from extractor.sources.library_saved import extract_saved
from extractor.sources.library_snapshots import extract_followed_artists, extract_top_items
from extractor.sources.playlists import Register
from extractor.spotify.client import SpotifyClient
from extractor.state.documents import StateStore

LibraryRun = Callable[[Register], Awaitable[LibraryResult]]


async def run_library(
    client: SpotifyClient,
    state: StateStore,
    publisher: Publisher,
    plan: LibraryPlan,
    run_source: Callable[[LibraryRun], Awaitable[Outcome]],
    run_playlist: Callable[[str], Awaitable[Outcome]],
    configured: Collection[str],
) -> list[Outcome]:
    """Every library source of ``plan``; one outcome each (and one per playlist of ``mine``)."""

    def source_of(source: LibrarySource) -> LibraryRun:
        if source is LibrarySource.TOP_ITEMS:
            return lambda register: extract_top_items(client, publisher, register)
        if source is LibrarySource.FOLLOWED_ARTISTS:  # full artists: nothing to register
            return lambda _: extract_followed_artists(client, publisher)
        return lambda register: extract_saved(
            client, state, publisher, source, plan.full_every, register
        )

    async def mine() -> list[Outcome]:
        result = await extract_mine(client, publisher)
        outcomes = [result.outcome]
        chosen = []
        for playlist_id, snapshot_id in result.playlists:
            if playlist_id in configured:
                continue
            if snapshot_id is not None and snapshot_id == await state.last_snapshot(playlist_id):
                # unchanged since its last extraction: the listing said so, no request needed
                outcomes.append(Outcome(f"playlist {playlist_id}", Status.SKIPPED))
                continue
            chosen.append(playlist_id)
        return [*outcomes, *await asyncio.gather(*(run_playlist(p) for p in chosen))]

    async def library() -> list[Outcome]:
        return list(await asyncio.gather(*(run_source(source_of(s)) for s in plan.sources)))

    parts = await asyncio.gather(mine() if plan.mine else _nothing(), library())
    return [o for part in parts for o in part]


async def _nothing() -> list[Outcome]:
    return []

"""Playlist source: metadata first, skip an unchanged snapshot, else every page of items."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from spotify_etl_common.errors import PermanentError, SpotifyEtlError
from spotify_etl_common.keys import playlist_items_key, playlist_key
from spotify_etl_common.messages import Source

from extractor import explain
from extractor.client import SpotifyClient
from extractor.models import PlaylistMeta, PlaylistPage, References, parse, playlist_references
from extractor.outcome import Outcome, Status, failed
from extractor.output import Publisher, RawObject
from extractor.state import StateStore
from extractor.tokens import TokenKind

PAGE_SIZES = {"items": 50, "tracks": 100}
"""Largest page of each playlist endpoint: 2026 ``/items`` and legacy ``/tracks``."""


@dataclass(frozen=True)
class PlaylistResult:
    outcome: Outcome
    references: References


def needs_extraction(snapshot_id: str, last_snapshot: str | None) -> bool:
    """A playlist is fetched again only when its snapshot changed."""
    return snapshot_id != last_snapshot


def page_limit(total: int | None, page_size: int) -> int:
    """Most pages to follow before deciding the ``next`` chain is broken."""
    if total is None:
        return 100_000
    return total // page_size + 2


async def extract_playlist(
    client: SpotifyClient,
    state: StateStore,
    publisher: Publisher,
    playlist_id: str,
    endpoint: str,
) -> PlaylistResult:
    """Extract one playlist; every failure becomes an outcome with one clear line."""
    name = f"playlist {playlist_id}"
    try:
        return await _extract(client, state, publisher, playlist_id, endpoint)
    except SpotifyEtlError as error:
        return PlaylistResult(
            failed(name, explain.playlist_failure(playlist_id, error), error), References()
        )
    except ValueError as error:  # a snapshot id that cannot be part of a key
        line = f"{name} failed: {error}"
        return PlaylistResult(failed(name, line, PermanentError(line)), References())


async def _extract(
    client: SpotifyClient,
    state: StateStore,
    publisher: Publisher,
    playlist_id: str,
    endpoint: str,
) -> PlaylistResult:
    name = f"playlist {playlist_id}"
    token = TokenKind.USER if client.tokens.has_user or endpoint == "items" else TokenKind.APP
    meta_response = await client.get(f"/playlists/{playlist_id}", token=token)
    meta = parse(PlaylistMeta, meta_response.data, name)
    if not needs_extraction(meta.snapshot_id, await state.last_snapshot(playlist_id)):
        return PlaylistResult(Outcome(name, Status.SKIPPED), References())
    page_size = PAGE_SIZES[endpoint]
    objects: list[RawObject] = []
    references = References()
    writes: list[asyncio.Task[None]] = []  # pages are written while the next one is fetched
    try:
        next_url: str | None = f"/playlists/{playlist_id}/{endpoint}"
        params: dict[str, str | int] | None = {"limit": page_size, "offset": 0}
        number, limit = 0, page_limit(None, page_size)
        while next_url is not None:
            if number >= limit:
                raise PermanentError(f"{name}: pagination did not end after {number} pages")
            response = await client.get(next_url, params, token=token)
            page = parse(PlaylistPage, response.data, name)
            limit = page_limit(page.total, page_size)
            obj = RawObject(
                key=playlist_items_key(playlist_id, meta.snapshot_id, number),
                body=response.body,
                source=Source.PLAYLIST_ITEMS,
                entity_id=playlist_id,
                snapshot_id=meta.snapshot_id,
                page=number,
            )
            writes.append(asyncio.create_task(publisher.write(obj)))
            objects.append(obj)
            references.merge(playlist_references(page))
            next_url, params, number = page.next, None, number + 1
    finally:
        results = await asyncio.gather(*writes, return_exceptions=True)
    for result in results:
        if isinstance(result, BaseException):
            raise result
    meta_object = RawObject(
        key=playlist_key(playlist_id, meta.snapshot_id),
        body=meta_response.body,
        source=Source.PLAYLISTS,
        entity_id=playlist_id,
        snapshot_id=meta.snapshot_id,
    )
    await publisher.write(meta_object)
    objects.append(meta_object)
    await publisher.announce(objects)
    await state.save_snapshot(playlist_id, meta.snapshot_id)
    return PlaylistResult(Outcome(name, Status.EXTRACTED, objects=len(objects)), references)

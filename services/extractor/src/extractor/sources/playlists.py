"""Playlist source: metadata first, skip an unchanged snapshot, else every page of items.

Pages of the snapshot an earlier run already stored are read back from S3, not
fetched again (a run stopped by the quota or killed resumes where it was); the
``next`` link of such a page is followed only on the configured API's host
(else the page is asked for by its offset: the API URL may have changed). The
pages written are announced even when the playlist fails half-way; the snapshot
is saved only once every page and the metadata are written and announced and
the albums, artists and episodes they reference are journaled.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

from spotify_etl_common.errors import PermanentError, SpotifyEtlError
from spotify_etl_common.keys import playlist_items_key, playlist_key
from spotify_etl_common.messages import Source

from extractor import explain
from extractor.outcome import Outcome, Status, failed
from extractor.output import Publisher, RawObject
from extractor.spotify.client import SpotifyClient
from extractor.spotify.models import (
    PlaylistMeta,
    PlaylistPage,
    References,
    parse,
    playlist_references,
)
from extractor.spotify.tokens import TokenKind
from extractor.state.documents import StateStore

Register = Callable[[References], Awaitable[object]]
"""Journals the entities a finished source references (before its state is saved)."""
PAGE_SIZES = {"items": 50, "tracks": 100}
"""Largest page of each playlist endpoint: 2026 ``/items`` and legacy ``/tracks``."""
ADDITIONAL_TYPES = "track,episode"
"""Episodes come as episode objects (with their show), not in a track's shape; Spotify keeps
the parameter in every ``next`` link."""


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
    register: Register,
) -> PlaylistResult:
    """Extract one playlist; every failure becomes an outcome with one clear line."""
    name = f"playlist {playlist_id}"
    try:
        return await _extract(client, state, publisher, playlist_id, endpoint, register)
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
    register: Register,
) -> PlaylistResult:
    name = f"playlist {playlist_id}"
    token = TokenKind.USER if client.tokens.has_user or endpoint == "items" else TokenKind.APP
    meta_response = await client.get(f"/playlists/{playlist_id}", token=token)
    meta = parse(PlaylistMeta, meta_response.data, name)
    if not needs_extraction(meta.snapshot_id, await state.last_snapshot(playlist_id)):
        return PlaylistResult(Outcome(name, Status.SKIPPED), References())
    stored = await _stored_pages(publisher, playlist_id, meta.snapshot_id)
    page_size = PAGE_SIZES[endpoint]
    objects: list[RawObject] = []
    references = References()
    writes: list[asyncio.Task[None]] = []  # pages are written while the next one is fetched
    written: list[RawObject] = []  # the object of each write, in the same order
    kept: list[RawObject] = []  # pages an earlier run stored, read back (not written again)
    path = f"/playlists/{playlist_id}/{endpoint}"
    first: dict[str, str | int] = {
        "limit": page_size,
        "offset": 0,
        "additional_types": ADDITIONAL_TYPES,
    }
    try:
        request: tuple[str, Mapping[str, str | int] | None] | None = (path, first)
        number, limit = 0, page_limit(None, page_size)
        while request is not None:
            next_url, params = request
            if number >= limit:
                raise PermanentError(f"{name}: pagination did not end after {number} pages")
            key = playlist_items_key(playlist_id, meta.snapshot_id, number, publisher.user_id)
            # a page listed as stored may be gone by now: then it is fetched and written
            kept_body = await publisher.read(key) if key in stored else None
            if kept_body is None:
                response = await client.get(next_url, params, token=token)
                body, data = response.body, response.data
            else:
                body, data = kept_body, json.loads(kept_body)
            page = parse(PlaylistPage, data, name)
            limit = page_limit(page.total, page_size)
            obj = RawObject(
                key=key,
                body=body,
                source=Source.PLAYLIST_ITEMS,
                entity_id=playlist_id,
                snapshot_id=meta.snapshot_id,
                page=number,
            )
            if kept_body is None:
                writes.append(asyncio.create_task(publisher.write(obj)))
                written.append(obj)
            else:
                kept.append(obj)
            objects.append(obj)
            references.merge(playlist_references(page))
            number += 1
            # a stored page's link may name another API host: then asked again from the offset
            request = client.next_request(page.next, path, first, number * page_size, name=name)
    except SpotifyEtlError:
        results = await asyncio.gather(*writes, return_exceptions=True)
        # announce what was written: it is kept, and the next run reads it back
        done = kept + [o for o, r in zip(written, results, strict=True) if r is None]
        await publisher.announce(done)
        raise
    except BaseException:
        await asyncio.gather(*writes, return_exceptions=True)
        raise
    results = await asyncio.gather(*writes, return_exceptions=True)
    for result in results:
        if isinstance(result, BaseException):
            raise result
    meta_object = RawObject(
        key=playlist_key(playlist_id, meta.snapshot_id, publisher.user_id),
        body=meta_response.body,
        source=Source.PLAYLISTS,
        entity_id=playlist_id,
        snapshot_id=meta.snapshot_id,
    )
    await publisher.write(meta_object)
    objects.append(meta_object)
    await publisher.announce(objects)
    await register(references)
    await state.save_snapshot(playlist_id, meta.snapshot_id)
    return PlaylistResult(Outcome(name, Status.EXTRACTED, objects=len(objects)), references)


async def _stored_pages(publisher: Publisher, playlist_id: str, snapshot_id: str) -> set[str]:
    """Keys of the pages of this snapshot an earlier run already wrote."""
    first = playlist_items_key(playlist_id, snapshot_id, 0, publisher.user_id)
    prefix = first.rsplit("/", 1)[0] + "/"
    return {key async for key in publisher.keys(prefix)}

"""Shows referenced by saved shows and saved episodes: one ``GET /shows/{id}`` each.

Like albums and artists: only shows without a raw object yet, at most
``max_shows`` per run; the rest is kept in ``state/extractor/library-shows-pending.json``
for the next run. A show answer embeds its first page of episodes, so the
episodes of every show are known without a request each.
"""

from __future__ import annotations

import asyncio

from pydantic import BaseModel
from spotify_etl_common.errors import SpotifyEtlError
from spotify_etl_common.keys import entity_key
from spotify_etl_common.sources import Source

from extractor.client import SpotifyClient
from extractor.library_pages import extracted
from extractor.outcome import Outcome, Status, failed
from extractor.output import Publisher, RawObject
from extractor.state import StateStore
from extractor.tokens import TokenKind

NAME = "shows"
PENDING = "library-shows-pending"


class PendingShows(BaseModel):
    shows: list[str] = []


def plan_shows(
    referenced: set[str], pending: set[str], stored: set[str], bound: int
) -> tuple[list[str], list[str]]:
    """The shows to fetch now and those left for the next run (sorted, stored ones dropped)."""
    missing = sorted((referenced | pending) - stored)
    return missing[: max(0, bound)], missing[max(0, bound) :]


async def _stored(publisher: Publisher) -> set[str]:
    prefix = entity_key(Source.SHOWS, "x").removesuffix("x.json")
    return {
        key[len(prefix) : -len(".json")]
        async for key in publisher.keys(prefix)
        if key.endswith(".json")
    }


async def _fetch(client: SpotifyClient, publisher: Publisher, show_id: str) -> RawObject:
    response = await client.get(f"/shows/{show_id}", token=TokenKind.USER)
    obj = RawObject(
        key=entity_key(Source.SHOWS, show_id),
        body=response.body,
        source=Source.SHOWS,
        entity_id=show_id,
    )
    await publisher.write(obj)
    return obj


async def extract_shows(
    client: SpotifyClient,
    state: StateStore,
    publisher: Publisher,
    referenced: set[str],
    bound: int,
) -> Outcome | None:
    """Fetch the referenced shows not stored yet; None when there was nothing to do."""
    try:
        pending = await state.read_document(PENDING, PendingShows) or PendingShows()
        if not referenced and not pending.shows:
            return None
        todo, later = plan_shows(referenced, set(pending.shows), await _stored(publisher), bound)
        results = await asyncio.gather(
            *(_fetch(client, publisher, s) for s in todo), return_exceptions=True
        )
        written = [r for r in results if isinstance(r, RawObject)]
        await publisher.announce(written)
        errors = [
            (s, r) for s, r in zip(todo, results, strict=True) if not isinstance(r, RawObject)
        ]
        for _, result in errors:
            if not isinstance(result, SpotifyEtlError):
                raise result
        left = sorted(set(later) | {s for s, _ in errors})
        if left != sorted(pending.shows):
            await state.write_document(PENDING, PendingShows(shows=left))
    except SpotifyEtlError as error:
        return failed(NAME, f"shows failed: {error.reason}", error)
    if errors:
        show_id, first = errors[0]
        assert isinstance(first, SpotifyEtlError)
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        return failed(NAME, f"show {show_id} failed: {first.reason}{more}", first)
    if written:
        return extracted(NAME, len(written))
    return Outcome(NAME, Status.SKIPPED)

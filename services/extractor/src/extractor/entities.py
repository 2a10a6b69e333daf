"""Albums and artists referenced by what was fetched and not yet stored: single-id GETs.

The several-ids batch endpoints are gone in development mode, so each entity
costs one request; a bound per run keeps the request budget for playlists.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

from spotify_etl_common.errors import SpotifyEtlError
from spotify_etl_common.keys import entity_key
from spotify_etl_common.messages import Source

from extractor import explain
from extractor.client import SpotifyClient
from extractor.models import References
from extractor.outcome import Outcome, Status, failed
from extractor.output import Publisher, RawObject
from extractor.tokens import TokenKind

_PATHS = {Source.ALBUMS: "albums", Source.ARTISTS: "artists"}
_CHECK_CHUNK = 25


def candidates(references: References) -> list[tuple[Source, str]]:
    """Every referenced entity in a stable order: albums first, then artists."""
    return [(Source.ALBUMS, a) for a in sorted(references.albums)] + [
        (Source.ARTISTS, a) for a in sorted(references.artists)
    ]


def leftover(entities: Sequence[tuple[Source, str]]) -> References:
    """Entities to carry over to the next run."""
    refs = References()
    for source, entity_id in entities:
        (refs.albums if source is Source.ALBUMS else refs.artists).add(entity_id)
    return refs


async def missing(
    publisher: Publisher, wanted: Sequence[tuple[Source, str]], bound: int
) -> tuple[list[tuple[Source, str]], list[tuple[Source, str]]]:
    """The first ``bound`` of ``wanted`` not stored yet, and what was left unchecked."""
    chosen: list[tuple[Source, str]] = []
    start = 0
    while start < len(wanted) and len(chosen) < bound:
        chunk = wanted[start : start + _CHECK_CHUNK]
        stored = await asyncio.gather(
            *(publisher.stored(entity_key(source, i)) for source, i in chunk)
        )
        chosen.extend(c for c, is_stored in zip(chunk, stored, strict=True) if not is_stored)
        start += len(chunk)
    return chosen[:bound], [*chosen[bound:], *wanted[start:]]


async def _fetch_one(
    client: SpotifyClient, publisher: Publisher, source: Source, entity_id: str
) -> RawObject:
    response = await client.get(f"/{_PATHS[source]}/{entity_id}", token=TokenKind.APP)
    obj = RawObject(
        key=entity_key(source, entity_id), body=response.body, source=source, entity_id=entity_id
    )
    await publisher.write(obj)
    return obj


@dataclass(frozen=True)
class EntitiesResult:
    outcome: Outcome
    pending: References
    """Referenced but neither stored nor fetched (bound reached, or failed): next run."""


async def extract_entities(
    client: SpotifyClient, publisher: Publisher, references: References, bound: int
) -> EntitiesResult:
    """Fetch up to ``bound`` missing albums and artists; one outcome for all of them."""
    name = "albums and artists"
    wanted = candidates(references)
    if bound <= 0:
        return EntitiesResult(Outcome(name, Status.SKIPPED), leftover(wanted))
    try:
        todo, rest = await missing(publisher, wanted, bound)
    except (SpotifyEtlError, ValueError) as error:
        return EntitiesResult(failed(name, f"{name} failed: {error}"), leftover(wanted))
    if not todo:
        return EntitiesResult(Outcome(name, Status.SKIPPED), leftover(rest))
    results = await asyncio.gather(
        *(_fetch_one(client, publisher, s, i) for s, i in todo), return_exceptions=True
    )
    written = [r for r in results if isinstance(r, RawObject)]
    await publisher.announce(written)
    errors = [
        (s, i, r) for (s, i), r in zip(todo, results, strict=True) if isinstance(r, SpotifyEtlError)
    ]
    unexpected = [
        r for r in results if isinstance(r, BaseException) and not isinstance(r, SpotifyEtlError)
    ]
    if unexpected:
        raise unexpected[0]
    pending = leftover([*rest, *((s, i) for s, i, _ in errors)])
    if errors:
        source, entity_id, first = errors[0]
        line = explain.entity_failure(str(source).rstrip("s"), entity_id, first)
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        return EntitiesResult(failed(name, line + more, first), pending)
    return EntitiesResult(Outcome(name, Status.EXTRACTED, objects=len(written)), pending)

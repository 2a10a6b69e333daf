"""Albums and artists referenced by what was fetched and not yet stored: single-id GETs.

The several-ids batch endpoints are gone in development mode, so each entity
costs one request; a bound per run (:class:`EntityBudget`) keeps the request
budget for playlists. Entities are fetched as soon as the playlist or page that
references them is done, so they fill the rate window alongside playlist pages.
What the bound leaves over, or what failed, is carried to the next run.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field

from spotify_etl_common.errors import SpotifyEtlError
from spotify_etl_common.keys import entity_key
from spotify_etl_common.messages import Source

from extractor import explain
from extractor.client import SpotifyClient
from extractor.models import References
from extractor.outcome import Outcome, Status, failed
from extractor.output import Publisher, RawObject
from extractor.tokens import TokenKind

NAME = "albums and artists"
_PATHS = {Source.ALBUMS: "albums", Source.ARTISTS: "artists"}
Entity = tuple[Source, str]


@dataclass
class EntityBudget:
    """Per-run bound and bookkeeping shared by every batch of entities."""

    remaining: int
    index: StoredIndex
    seen: set[Entity] = field(default_factory=set)
    pending: set[Entity] = field(default_factory=set)
    written: int = 0
    errors: list[tuple[Entity, SpotifyEtlError]] = field(default_factory=list)

    def claim_new(self, wanted: Sequence[Entity]) -> list[Entity]:
        """The entities not seen before in this run (and mark them seen)."""
        fresh = [e for e in wanted if e not in self.seen]
        self.seen.update(fresh)
        return fresh

    def take(self, missing: Sequence[Entity]) -> list[Entity]:
        """As many of ``missing`` as the bound still allows; the rest becomes pending."""
        taken = list(missing[: max(0, self.remaining)])
        self.remaining -= len(taken)
        self.pending.update(missing[len(taken) :])
        return taken

    def outcome(self) -> Outcome:
        """One outcome for every entity batch of the run."""
        if self.errors:
            (source, entity_id), first = self.errors[0]
            line = explain.entity_failure(str(source).rstrip("s"), entity_id, first)
            more = f" (and {len(self.errors) - 1} more)" if len(self.errors) > 1 else ""
            return failed(NAME, line + more, first)
        if self.written:
            return Outcome(NAME, Status.EXTRACTED, objects=self.written)
        return Outcome(NAME, Status.SKIPPED)

    def pending_references(self) -> References:
        """Entities to carry over to the next run (bound reached, or failed)."""
        refs = References()
        for source, entity_id in self.pending | {e for e, _ in self.errors}:
            (refs.albums if source is Source.ALBUMS else refs.artists).add(entity_id)
        return refs


def candidates(references: References) -> list[Entity]:
    """Every referenced entity in a stable order: albums first, then artists."""
    return [(Source.ALBUMS, a) for a in sorted(references.albums)] + [
        (Source.ARTISTS, a) for a in sorted(references.artists)
    ]


def stored_id(source: Source, key: str) -> str | None:
    """The entity id of a raw key of ``source`` (``raw/source=albums/album_id=<id>.json``)."""
    prefix = entity_key(source, "x").removesuffix("x.json")
    if not key.startswith(prefix) or not key.endswith(".json"):
        return None
    return key[len(prefix) : -len(".json")] or None


class StoredIndex:
    """Which albums and artists already have a raw object: one listing per run, on first use.

    A listing costs one request per 1,000 stored entities, far fewer than one
    HEAD per referenced entity.
    """

    def __init__(self, publisher: Publisher) -> None:
        self._publisher = publisher
        self._stored: set[Entity] | None = None
        self._lock = asyncio.Lock()

    async def stored(self) -> set[Entity]:
        async with self._lock:
            if self._stored is None:
                found: set[Entity] = set()
                for source in _PATHS:
                    prefix = entity_key(source, "x").removesuffix("x.json")
                    async for key in self._publisher.keys(prefix):
                        entity_id = stored_id(source, key)
                        if entity_id:
                            found.add((source, entity_id))
                self._stored = found
            return self._stored


async def _fetch_one(
    client: SpotifyClient, publisher: Publisher, source: Source, entity_id: str
) -> RawObject:
    response = await client.get(f"/{_PATHS[source]}/{entity_id}", token=TokenKind.APP)
    obj = RawObject(
        key=entity_key(source, entity_id), body=response.body, source=source, entity_id=entity_id
    )
    await publisher.write(obj)
    return obj


async def extract_entities(
    client: SpotifyClient, publisher: Publisher, references: References, budget: EntityBudget
) -> None:
    """Fetch the missing entities of ``references`` within ``budget``; announce what was written."""
    wanted = budget.claim_new(candidates(references))
    if not wanted:
        return
    if budget.remaining <= 0:
        budget.pending.update(wanted)
        return
    try:
        stored = await budget.index.stored()
    except SpotifyEtlError as error:
        budget.errors.append((wanted[0], error))
        budget.pending.update(wanted)
        return
    todo = budget.take([e for e in wanted if e not in stored])
    results = await asyncio.gather(
        *(_fetch_one(client, publisher, s, i) for s, i in todo), return_exceptions=True
    )
    written = [r for r in results if isinstance(r, RawObject)]
    await publisher.announce(written)
    budget.written += len(written)
    for entity, result in zip(todo, results, strict=True):
        if isinstance(result, SpotifyEtlError):
            budget.errors.append((entity, result))
        elif isinstance(result, BaseException) and not isinstance(result, RawObject):
            raise result

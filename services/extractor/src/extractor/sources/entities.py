"""Albums, artists, episodes and shows referenced by what was fetched, not yet stored: single GETs.

Episodes are those of playlist items (``GET /episodes/{id}``, with the user's
token: the endpoint needs ``user-read-playback-position`` and the user's market
decides availability); saved episodes carry the whole episode already. Shows
are those of saved shows and saved episodes (``GET /shows/{id}``, user token,
their first page of episodes embedded), under a bound of their own
(``max_shows``: a show answer is large, and the albums' bound stays theirs). The
several-ids batch endpoints are gone in development mode, so each entity
costs one request; a bound per run (:class:`EntityBudget`) keeps the request
budget for playlists. A source *registers* what it references before it saves
its snapshot or cursor (the missing entities enter the pending journal), then
the entities are fetched, written and announced, and leave the journal. What
the bound leaves over, what failed and what a killed run left are carried to
the next run (and tracks the imported history wants, which a run takes into the
journal before anything else: :mod:`extractor.state.wanted`); stored ones are
announced, not fetched again. One answering 404 is retried by the next runs
and, after ``EXTRACTOR_GONE_AFTER`` of them, recorded as gone and no longer
fetched (:mod:`extractor.state.gone`): a warning, not a failure of the run.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TypeGuard

from spotify_etl_common.errors import SpotifyEtlError
from spotify_etl_common.keys import entity_key
from spotify_etl_common.messages import Source

from extractor import explain
from extractor.outcome import Outcome, Status, failed
from extractor.output import Publisher, RawObject
from extractor.spotify.client import SpotifyClient
from extractor.spotify.errors import SpotifyHttpError
from extractor.spotify.models import References
from extractor.spotify.tokens import TokenKind
from extractor.state.gone import GoneBook
from extractor.state.journal import Entity, PendingJournal

NAME = "albums, artists, episodes and shows"
_PATHS = {
    Source.ALBUMS: "albums",
    Source.ARTISTS: "artists",
    Source.EPISODES: "episodes",
    Source.SHOWS: "shows",
    Source.TRACKS: "tracks",
}
_TOKENS = {
    Source.ALBUMS: TokenKind.APP,
    Source.ARTISTS: TokenKind.APP,
    Source.EPISODES: TokenKind.USER,
    Source.SHOWS: TokenKind.USER,
    Source.TRACKS: TokenKind.APP,
}
_USER_ONLY = frozenset(s for s, kind in _TOKENS.items() if kind is TokenKind.USER)
"""Episodes and shows: fetched only when the run has the user's token."""


@dataclass
class EntityBudget:
    """Per-run bound and bookkeeping shared by every batch of entities."""

    remaining: int
    """Albums, artists and episodes this run may still fetch."""
    index: StoredIndex
    episodes: bool = True
    """Whether episodes and shows are fetched: they need the user's token (without one they
    are not referenced, and journaled ones wait for a run that has it)."""
    shows_remaining: int = 50
    """Shows this run may still fetch (their own bound, ``EXTRACTOR_MAX_SHOWS``)."""
    book: GoneBook | None = None
    """Entities that answered 404 (None: not tracked, every error is a failure)."""
    seen: set[Entity] = field(default_factory=set)
    pending: set[Entity] = field(default_factory=set)
    written: int = 0
    recovered: int = 0
    """Stored by an earlier run that did not announce them: announced by this one."""
    errors: list[tuple[Entity, SpotifyEtlError]] = field(default_factory=list)
    missing: list[tuple[Entity, SpotifyHttpError]] = field(default_factory=list)
    """Entities that answered 404 in this run (retried by the next ones until gone)."""

    def claim_new(self, wanted: Sequence[Entity]) -> list[Entity]:
        """The entities not seen before in this run (and mark them seen); episodes only
        when this run can fetch them; never those recorded as gone."""
        fresh = [
            e
            for e in wanted
            if e not in self.seen
            and (self.episodes or e[0] not in _USER_ONLY)
            and not (self.book is not None and self.book.is_gone(e))
        ]
        self.seen.update(fresh)
        return fresh

    def take(self, missing: Sequence[Entity]) -> list[Entity]:
        """As many of ``missing`` as the bounds still allow (shows under their own); the rest
        becomes pending."""
        taken: list[Entity] = []
        for entity in missing:
            if entity[0] is Source.SHOWS and self.shows_remaining > 0:
                self.shows_remaining -= 1
            elif entity[0] is not Source.SHOWS and self.remaining > 0:
                self.remaining -= 1
            else:
                self.pending.add(entity)
                continue
            taken.append(entity)
        return taken

    def outcome(self) -> Outcome:
        """One outcome for every entity batch of the run."""
        if self.errors:
            (source, entity_id), first = self.errors[0]
            line = explain.entity_failure(str(source).rstrip("s"), entity_id, first)
            more = f" (and {len(self.errors) - 1} more)" if len(self.errors) > 1 else ""
            return failed(NAME, line + more, first)
        if self.written or self.recovered:
            return Outcome(NAME, Status.EXTRACTED, objects=self.written + self.recovered)
        return Outcome(NAME, Status.SKIPPED)


def candidates(references: References) -> list[Entity]:
    """Every referenced entity in a stable order: albums, artists, episodes, then shows."""
    return (
        [(Source.ALBUMS, a) for a in sorted(references.albums)]
        + [(Source.ARTISTS, a) for a in sorted(references.artists)]
        + [(Source.EPISODES, e) for e in sorted(references.episodes)]
        + [(Source.SHOWS, s) for s in sorted(references.shows)]
    )


def stored_id(source: Source, key: str) -> str | None:
    """The entity id of a raw key of ``source`` (``raw/source=albums/album_id=<id>.json``)."""
    prefix = entity_key(source, "x").removesuffix("x.json")
    if not key.startswith(prefix) or not key.endswith(".json"):
        return None
    return key[len(prefix) : -len(".json")] or None


class StoredIndex:
    """Which albums, artists, episodes and shows have a raw object already: one listing per run.

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
    response = await client.get(f"/{_PATHS[source]}/{entity_id}", token=_TOKENS[source])
    obj = RawObject(
        key=entity_key(source, entity_id), body=response.body, source=source, entity_id=entity_id
    )
    await publisher.write(obj)
    return obj


def is_not_found(result: object) -> TypeGuard[SpotifyHttpError]:
    """A 404: the entity is not (or no longer) in Spotify's catalogue for this app."""
    return isinstance(result, SpotifyHttpError) and result.status == 404


async def register(
    references: References, budget: EntityBudget, journal: PendingJournal
) -> list[Entity]:
    """Journal the referenced entities not stored yet; returns those this run claims.

    Call before saving the snapshot or cursor that produced ``references``: once
    it returns, a crash cannot lose them.
    """
    wanted = budget.claim_new(candidates(references))
    if not wanted:
        return []
    stored = await budget.index.stored()
    missing = [e for e in wanted if e not in stored]
    await journal.add(missing)
    return missing


async def fetch_entities(
    client: SpotifyClient,
    publisher: Publisher,
    missing: list[Entity],
    budget: EntityBudget,
    journal: PendingJournal,
) -> None:
    """Fetch ``missing`` within the budget: write, announce, then drop them from the journal."""
    todo = budget.take(missing)
    if not todo:
        return
    results = await asyncio.gather(
        *(_fetch_one(client, publisher, s, i) for s, i in todo), return_exceptions=True
    )
    written = [r for r in results if isinstance(r, RawObject)]
    await publisher.announce(written)
    answered = [(o.source, o.entity_id or "") for o in written]
    gone: list[Entity] = []
    for entity, result in zip(todo, results, strict=True):
        if budget.book is not None and is_not_found(result):
            budget.missing.append((entity, result))
            # recorded before the journal lets go of it
            if await budget.book.missed(entity, result.status, result.message):
                gone.append(entity)
        elif isinstance(result, SpotifyEtlError):
            budget.errors.append((entity, result))
        elif isinstance(result, BaseException):
            raise result
    await journal.done([*answered, *gone])
    if budget.book is not None:
        await budget.book.found(answered)
    budget.written += len(written)


async def carry_over(
    client: SpotifyClient,
    publisher: Publisher,
    wanted: list[Entity],
    budget: EntityBudget,
    journal: PendingJournal,
) -> None:
    """What earlier runs left in the journal (``wanted``, claimed by the caller first):
    announce the entities already stored, fetch the rest."""
    if not wanted:
        return
    try:
        stored = await budget.index.stored()
        recovered = [
            RawObject(
                key=entity_key(source, entity_id),
                body=b"",
                source=source,
                entity_id=entity_id,
                extracted_at=await publisher.extracted_at(entity_key(source, entity_id)),
            )
            for source, entity_id in wanted
            if (source, entity_id) in stored
        ]
        await publisher.announce(recovered)
        await journal.done((o.source, o.entity_id or "") for o in recovered)
    except SpotifyEtlError as error:
        budget.errors.append((wanted[0], error))
        return
    budget.recovered += len(recovered)
    done = {(o.source, o.entity_id) for o in recovered}
    await fetch_entities(client, publisher, [e for e in wanted if e not in done], budget, journal)

"""The pending-entities journal: albums, artists, episodes, shows referenced, and tracks the
imported history wants (:mod:`extractor.state.wanted`), not yet announced.

It is the ``entities-pending`` state document, kept durable as the run goes:
entities enter it before the snapshot or cursor that referenced them is saved,
and leave it only once their raw object is written *and* announced. A run
killed in between leaves them in it, so the next run announces those already
stored (without fetching them again) and fetches the rest.

Shows once waited in a document of their own (``library-shows-pending``),
written only after the listing that referenced them was saved; loading the
journal moves what that document still holds into the journal (saved first,
then the old document emptied), so no show is lost on upgrade.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable

from spotify_etl_common.messages import Source

from extractor.state.documents import PendingEntities, StateStore

Entity = tuple[Source, str]


def to_document(entities: Iterable[Entity]) -> PendingEntities:
    """The state document of ``entities`` (sorted, stable)."""
    items = set(entities)
    return PendingEntities(
        albums=sorted(i for s, i in items if s is Source.ALBUMS),
        artists=sorted(i for s, i in items if s is Source.ARTISTS),
        episodes=sorted(i for s, i in items if s is Source.EPISODES),
        shows=sorted(i for s, i in items if s is Source.SHOWS),
        tracks=sorted(i for s, i in items if s is Source.TRACKS),
    )


def from_document(document: PendingEntities) -> set[Entity]:
    return (
        {(Source.ALBUMS, a) for a in document.albums}
        | {(Source.ARTISTS, a) for a in document.artists}
        | {(Source.EPISODES, e) for e in document.episodes}
        | {(Source.SHOWS, s) for s in document.shows}
        | {(Source.TRACKS, t) for t in document.tracks}
    )


class PendingJournal:
    """The journal in memory, written through to the state document on every change."""

    def __init__(self, state: StateStore, entities: Iterable[Entity] = ()) -> None:
        self._state = state
        self._entities = set(entities)
        self._lock = asyncio.Lock()
        self.writes = 0

    @classmethod
    async def load(cls, state: StateStore) -> PendingJournal:
        """The journal as saved, with the shows of the old ``library-shows-pending`` moved in."""
        journal = cls(state, from_document(await state.pending_entities()))
        legacy = await state.legacy_pending_shows()
        if legacy:
            await journal.add((Source.SHOWS, s) for s in legacy)
            await state.clear_legacy_pending_shows()
        return journal

    @property
    def entities(self) -> frozenset[Entity]:
        return frozenset(self._entities)

    async def add(self, entities: Iterable[Entity]) -> None:
        """Record ``entities`` as referenced and not yet written and announced."""
        await self._change(lambda current: current | set(entities))

    async def done(self, entities: Iterable[Entity]) -> None:
        """``entities`` are written and announced: drop them."""
        await self._change(lambda current: current - set(entities))

    async def _change(self, update: Callable[[set[Entity]], set[Entity]]) -> None:
        async with self._lock:
            changed = update(self._entities)
            if changed == self._entities:
                return
            await self._state.save_pending_entities(to_document(changed))
            self._entities = changed
            self.writes += 1

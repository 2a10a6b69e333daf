"""Entities that answer 404: retried for a bounded number of runs, then recorded as gone.

A referenced album, artist, episode or show (or a track the imported history
wants) whose single GET answers 404 stays in the journal (the next run tries
again) and gets an entry in the
``entities-gone`` document (:mod:`spotify_etl_common.gone`) counting the runs
that met the 404; at ``after`` runs it is marked gone, leaves the journal and is
neither journaled nor fetched again. ``extractor gone`` lists them and
``extractor gone --clear`` puts them back in the journal for the next run. An
entity that answers again loses its entry. Decisions are pure; :class:`GoneBook`
writes the document through on every change (before the journal lets go of an
entity, so a crash in between loses nothing).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from datetime import datetime

from spotify_etl_common.gone import GONE_STATE, GoneEntities, GoneEntry
from spotify_etl_common.sources import Source

from extractor.state.documents import StateStore
from extractor.state.journal import Entity, PendingJournal


def key_of(entry: GoneEntry) -> Entity:
    return entry.source, entry.entity_id


def record_missing(
    document: GoneEntities,
    entity: Entity,
    status: int,
    message: str,
    now: datetime,
    after: int,
) -> tuple[GoneEntities, bool]:
    """The document after ``entity`` answered ``status`` in the run of ``now``; and whether it
    is gone now (``after`` runs have met the answer)."""
    found = next((e for e in document.entries if key_of(e) == entity), None)
    if found is None:
        found = GoneEntry(
            source=entity[0],
            entity_id=entity[1],
            status=status,
            message=message,
            first_seen=now,
            last_seen=now,
            runs=0,
        )
    runs = found.runs + 1 if now > found.last_seen or found.runs == 0 else found.runs
    updated = found.model_copy(
        update={
            "status": status,
            "message": message,
            "last_seen": max(now, found.last_seen),
            "runs": runs,
            "gone": runs >= after,
        }
    )
    others = [e for e in document.entries if key_of(e) != entity]
    return document.model_copy(update={"entries": [*others, updated]}), updated.gone


def forget(document: GoneEntities, entities: Iterable[Entity]) -> GoneEntities:
    """The document without ``entities`` (they answered again, or were cleared)."""
    dropped = set(entities)
    return document.model_copy(
        update={"entries": [e for e in document.entries if key_of(e) not in dropped]}
    )


JOURNALED = (Source.ALBUMS, Source.ARTISTS, Source.EPISODES, Source.SHOWS, Source.TRACKS)
"""The sources whose entities the journal holds (and that can be recorded as gone)."""


def parse_entity(text: str) -> Entity:
    """``albums:<id>`` (as ``extractor gone`` lists them); ``ValueError`` saying the form."""
    source, _, entity_id = text.partition(":")
    try:
        kind = Source(source)
    except ValueError:
        kind = None
    if kind not in JOURNALED or not entity_id:
        raise ValueError(f"{text!r} is not <albums|artists|episodes|shows|tracks>:<id>")
    return kind, entity_id


def lines(document: GoneEntities) -> list[str]:
    """``extractor gone``: one line per entity recorded as gone."""
    gone = document.gone()
    if not gone:
        waiting = len(document.entries)
        return [f"no entity recorded as gone ({waiting} answered 404 and will be tried again)"]
    return [
        f"{e.source}:{e.entity_id}  {e.status} {e.message!r}  first {e.first_seen:%Y-%m-%d %H:%M}"
        f"  last {e.last_seen:%Y-%m-%d %H:%M} UTC  ({e.runs} runs)"
        for e in gone
    ]


class GoneBook:
    """The document in memory for one run, written through on every change."""

    def __init__(self, state: StateStore, document: GoneEntities, after: int, now: datetime):
        self._state = state
        self.document = document
        self.after = after
        self._now = now
        self._gone = {key_of(e) for e in document.gone()}
        self._lock = asyncio.Lock()
        self.newly_gone: list[Entity] = []

    @classmethod
    async def load(cls, state: StateStore, after: int, now: datetime) -> GoneBook:
        document = await state.read_document(GONE_STATE, GoneEntities) or GoneEntities()
        return cls(state, document, after, now)

    def is_gone(self, entity: Entity) -> bool:
        return entity in self._gone

    async def missed(self, entity: Entity, status: int, message: str) -> bool:
        """Count this run's 404 for ``entity``; True when that makes it gone."""
        async with self._lock:
            document, gone = record_missing(
                self.document, entity, status, message, self._now, self.after
            )
            await self._state.write_document(GONE_STATE, document)
            self.document = document
            if gone and entity not in self._gone:
                self._gone.add(entity)
                self.newly_gone.append(entity)
            return gone

    async def found(self, entities: Sequence[Entity]) -> None:
        """``entities`` answered: drop their entries (only written if one had an entry)."""
        async with self._lock:
            known = {key_of(e) for e in self.document.entries} & set(entities)
            if not known:
                return
            self.document = forget(self.document, known)
            await self._state.write_document(GONE_STATE, self.document)
            self._gone -= known


async def clear(state: StateStore, which: Sequence[Entity] | None) -> list[Entity]:
    """Give the gone entities (``which``, or all) back to the journal: the next run fetches
    them. The journal is written first, so a crash in between loses none (run it again)."""
    document = await state.read_document(GONE_STATE, GoneEntities) or GoneEntities()
    gone = [key_of(e) for e in document.gone()]
    chosen = gone if which is None else [e for e in which if e in set(gone)]
    if not chosen:
        return []
    journal = await PendingJournal.load(state)
    await journal.add(chosen)
    await state.write_document(GONE_STATE, forget(document, chosen))
    return chosen

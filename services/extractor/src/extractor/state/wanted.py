"""Tracks the imported history wants: taken from ``tracks-wanted`` into the journal.

``spotify-etl import-history`` merges the track ids its plays name into the
``tracks-wanted`` document (:mod:`spotify_etl_common.wanted`). At the start of
a run, the extractor adds those it has no raw object of (``raw/source=tracks/``,
its own record: never the curated tables) and that are not recorded as gone to
the pending-entities journal, then empties the document with ``If-Match`` on
the ETag it read. From there the journal's rules apply: fetched one
``GET /tracks/{id}`` at a time within ``EXTRACTOR_MAX_ENTITIES``, the rest
carried to the next runs, a 404 retried until gone. An import that wrote in
between makes the emptying fail: the document is kept and the next run takes
it again (adding to the journal twice changes nothing).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from spotify_etl_common.sources import Source
from spotify_etl_common.wanted import WANTED_STATE, WantedTracks, parse

from extractor.state.documents import StateStore
from extractor.state.journal import Entity, PendingJournal


@dataclass(frozen=True)
class Taken:
    """What a run took from the document."""

    wanted: int
    """Track ids the document held."""
    journaled: int
    """Of them, those added to the journal (not stored, not gone)."""
    emptied: bool
    """Whether the document was emptied (False: an import wrote in between; taken again)."""


def still_wanted(
    ids: list[str], stored: set[Entity], gone: Callable[[Entity], bool]
) -> list[Entity]:
    """The tracks of ``ids`` that have no raw object and are not recorded as gone."""
    tracks = [(Source.TRACKS, i) for i in ids]
    return [t for t in tracks if t not in stored and not gone(t)]


async def take_wanted(
    state: StateStore,
    journal: PendingJournal,
    stored: Callable[[], Awaitable[set[Entity]]],
    gone: Callable[[Entity], bool],
) -> Taken | None:
    """Move the wanted tracks into ``journal``; None when none are wanted (nothing listed)."""
    current = await state.read_versioned(WANTED_STATE)
    if current is None:
        return None
    raw, etag = current
    document = parse(raw, state.key(WANTED_STATE))
    if not document.track_ids:
        return None
    fresh = still_wanted(document.track_ids, await stored(), gone)
    await journal.add(fresh)  # durable before the document lets go of them
    emptied = await state.write_if(WANTED_STATE, WantedTracks(), etag)
    return Taken(len(document.track_ids), len(fresh), emptied)

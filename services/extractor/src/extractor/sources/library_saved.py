"""Saved tracks, albums, shows and episodes: incremental listings, and a full one now and then.

The API lists saved items newest first. A run pages from the top and stops at
the first page holding an item the previous listing already stored: the newest
item it saw (same id and ``added_at``) or anything saved before it. That pages
once or twice per run however large the library. Removals are invisible to
such a listing, so every ``full_every`` the whole list is read again. The state
(``state/extractor/library-<source>.json``) moves only once every page is
written and announced and the albums, artists and shows they reference are
journaled (so a run killed before those are fetched leaves them in the journal).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import BaseModel
from spotify_etl_common.errors import SpotifyEtlError

from extractor.output import Publisher
from extractor.sources.library import SAVED, SCOPES, LibrarySource
from extractor.sources.library_models import SavedPage, saved_references, shows_referenced
from extractor.sources.library_pages import (
    PAGE_SIZE,
    LibraryResult,
    extracted,
    library_failure,
    list_pages,
)
from extractor.sources.playlists import Register
from extractor.spotify.client import SpotifyClient
from extractor.spotify.models import References
from extractor.state.documents import StateStore


class SavedState(BaseModel):
    """Where the last listing of one saved-items source ended."""

    newest_added_at: str | None = None
    """``added_at`` of the newest item the last listing saw (None: the library was empty)."""
    newest_id: str | None = None
    full_at: datetime | None = None
    """When the last full listing was made."""


def state_name(source: LibrarySource) -> str:
    return f"library-{source}"


def _stamp(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def full_due(previous: SavedState | None, now: datetime, every: timedelta) -> bool:
    """A full listing is due on the first run and once ``every`` has passed since the last."""
    return previous is None or previous.full_at is None or now - previous.full_at >= every


def reaches_stored(page: SavedPage, kind: str, previous: SavedState) -> bool:
    """Whether ``page`` holds the newest item the previous listing saw, or one saved before it."""
    marker = _stamp(previous.newest_added_at)
    if marker is None:
        return False
    for saved in page.items:
        stamp = _stamp(saved.added_at)
        if stamp is None:
            continue
        if stamp < marker or (stamp == marker and saved.item_id(kind) == previous.newest_id):
            return True
    return False


def newest(pages: list[SavedPage], kind: str) -> tuple[str | None, str | None]:
    """``added_at`` and id of the newest item of a listing (its first page's first item)."""
    items = [s for p in pages[:1] for s in p.items if _stamp(s.added_at) is not None]
    if not items:
        return None, None
    top = max(items, key=lambda s: _stamp(s.added_at) or datetime.min)
    return top.added_at, top.item_id(kind)


async def extract_saved(
    client: SpotifyClient,
    state: StateStore,
    publisher: Publisher,
    source: LibrarySource,
    every: timedelta,
    register: Register,
) -> LibraryResult:
    """List one saved-items source; every failure becomes an outcome with one clear line."""
    raw_source, path, kind = SAVED[source]
    name = str(source).replace("_", " ")
    try:
        previous = await state.read_document(state_name(source), SavedState)
        now = publisher.run.started_at
        full = full_due(previous, now, every)

        def stop(page: SavedPage) -> bool:
            return not full and previous is not None and reaches_stored(page, kind, previous)

        listing = await list_pages(
            client,
            publisher,
            name=name,
            source=raw_source,
            path=path,
            params={"limit": PAGE_SIZE, "offset": 0},
            model=SavedPage,
            stop=stop,
        )
        references = References()
        for page in listing.pages:
            references.merge(saved_references(page, kind))
            references.shows |= shows_referenced(page)
        await register(references)  # journaled before the state below moves past them
        added_at, item_id = newest(listing.pages, kind)
        full_at = now if full else previous.full_at if previous else None
        await state.write_document(
            state_name(source),
            SavedState(newest_added_at=added_at, newest_id=item_id, full_at=full_at),
        )
    except SpotifyEtlError as error:
        return LibraryResult(library_failure(name, SCOPES[source], error))
    return LibraryResult(extracted(name, len(listing.objects)), references)

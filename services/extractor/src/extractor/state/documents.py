"""Extractor state in S3 under ``state/extractor/``: last snapshot ids and the play cursor."""

from __future__ import annotations

from typing import TypeVar

from pydantic import BaseModel, ValidationError
from spotify_etl_common.errors import PermanentError
from spotify_etl_common.keys import state_key

from extractor.ports import ObjectStore

RECENT_STATE = "recently-played"
PENDING_STATE = "entities-pending"
LEGACY_SHOWS_STATE = "library-shows-pending"
"""Where shows waited before they joined the journal: read once, migrated, then emptied."""
M = TypeVar("M", bound=BaseModel)


class PlaylistState(BaseModel):
    """The last snapshot of a playlist whose objects were all written and announced."""

    snapshot_id: str


class RecentState(BaseModel):
    """Cursor of recently played: ``played_at`` in ms of the newest play written."""

    after: int


class PendingEntities(BaseModel):
    """Albums, artists, episodes and shows referenced earlier, not fetched yet (per-run bounds)."""

    albums: list[str] = []
    artists: list[str] = []
    episodes: list[str] = []
    shows: list[str] = []


class LegacyPendingShows(BaseModel):
    """``library-shows-pending``: the shows a run before the journal held them left over."""

    shows: list[str] = []


def playlist_state_name(playlist_id: str) -> str:
    return f"playlist-{playlist_id}"


class StateStore:
    """Reads and writes the state documents."""

    def __init__(self, store: ObjectStore) -> None:
        self._store = store

    async def last_snapshot(self, playlist_id: str) -> str | None:
        state = await self._read(playlist_state_name(playlist_id), PlaylistState)
        return state.snapshot_id if state else None

    async def save_snapshot(self, playlist_id: str, snapshot_id: str) -> None:
        await self._write(playlist_state_name(playlist_id), PlaylistState(snapshot_id=snapshot_id))

    async def recent_cursor(self) -> int | None:
        state = await self._read(RECENT_STATE, RecentState)
        return state.after if state else None

    async def save_recent_cursor(self, after: int) -> None:
        await self._write(RECENT_STATE, RecentState(after=after))

    async def pending_entities(self) -> PendingEntities:
        return await self._read(PENDING_STATE, PendingEntities) or PendingEntities()

    async def save_pending_entities(self, pending: PendingEntities) -> None:
        await self._write(PENDING_STATE, pending)

    async def legacy_pending_shows(self) -> list[str]:
        document = await self._read(LEGACY_SHOWS_STATE, LegacyPendingShows)
        return document.shows if document else []

    async def clear_legacy_pending_shows(self) -> None:
        await self._write(LEGACY_SHOWS_STATE, LegacyPendingShows())

    async def read_document(self, name: str, model: type[M]) -> M | None:
        """Any other state document (the library's listings), None if absent."""
        return await self._read(name, model)

    async def write_document(self, name: str, document: BaseModel) -> None:
        await self._write(name, document)

    async def _read(self, name: str, model: type[M]) -> M | None:
        raw = await self._store.get_or_none(state_key(name))
        if raw is None:
            return None
        try:
            return model.model_validate_json(raw)
        except ValidationError as error:
            raise PermanentError(
                f"state document {state_key(name)} is unreadable ({error}); delete it to start over"
            ) from error

    async def _write(self, name: str, state: BaseModel) -> None:
        await self._store.put(state_key(name), state.model_dump_json().encode())

"""Extractor state in S3 under ``state/extractor/``: last snapshot ids, the play cursor, listings.

A user's documents live under ``state/extractor/users/<uid>/`` (a
:class:`StateStore` made :meth:`~StateStore.for_user`); the run-wide ones (the
lease, the shared entity journal, entities gone, who ``/me`` was) stay under
``state/extractor/``. The documents of a single-user deployment from before the
household sit there too: the user they belong to (:class:`MeState`, or the only
user when none is recorded) reads them while their own copy does not exist yet,
and writes only their own copy.
"""

from __future__ import annotations

from typing import TypeVar

from pydantic import BaseModel, ValidationError
from spotify_etl_common.errors import PermanentError
from spotify_etl_common.keys import state_key, user_state_key

from extractor.ports import ObjectStore

RECENT_STATE = "recently-played"
ME_STATE = "me"
"""Who the single-user deployment's user is (``/me``): the owner of the documents kept
under ``state/extractor/`` before the household."""
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
    """Albums, artists, episodes and shows referenced earlier, and tracks the imported history
    wants (``tracks-wanted``), not fetched yet (per-run bounds)."""

    albums: list[str] = []
    artists: list[str] = []
    episodes: list[str] = []
    shows: list[str] = []
    tracks: list[str] = []


class LegacyPendingShows(BaseModel):
    """``library-shows-pending``: the shows a run before the journal held them left over."""

    shows: list[str] = []


class MeState(BaseModel):
    """``state/extractor/me.json``: the Spotify user a single-user deployment extracts."""

    id: str
    display_name: str | None = None


def playlist_state_name(playlist_id: str) -> str:
    return f"playlist-{playlist_id}"


class StateStore:
    """Reads and writes the state documents."""

    def __init__(
        self, store: ObjectStore, user_id: str | None = None, *, inherit: bool = False
    ) -> None:
        self._store = store
        self.user_id = user_id
        """Whose documents these are (None: the run-wide ones)."""
        self._inherit = inherit and user_id is not None

    def for_user(self, user_id: str, *, inherit: bool = False) -> StateStore:
        """The documents of ``user_id``; ``inherit``: read the run-wide copy of a document
        while the user has none (the state of a single-user deployment becomes theirs)."""
        return StateStore(self._store, user_id, inherit=inherit)

    def key(self, name: str) -> str:
        """Where document ``name`` is written."""
        return state_key(name) if self.user_id is None else user_state_key(self.user_id, name)

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

    async def read_versioned(self, name: str) -> tuple[bytes, str] | None:
        """Document ``name``'s bytes and ETag (None if absent), for a conditional write."""
        return await self._store.read_versioned(self.key(name))

    async def write_if(self, name: str, document: BaseModel, etag: str | None) -> bool:
        """Write ``document`` only if ``name`` still has ``etag`` (None: does not exist yet);
        False if another writer changed it in between."""
        body = document.model_dump_json().encode()
        return await self._store.put_conditionally(self.key(name), body, if_match=etag) is not None

    async def read_document(self, name: str, model: type[M]) -> M | None:
        """Any other state document (the library's listings), None if absent."""
        return await self._read(name, model)

    async def write_document(self, name: str, document: BaseModel) -> None:
        await self._write(name, document)

    async def _read(self, name: str, model: type[M]) -> M | None:
        key = self.key(name)
        raw = await self._store.get_or_none(key)
        if raw is None and self._inherit:
            key = state_key(name)
            raw = await self._store.get_or_none(key)
        if raw is None:
            return None
        try:
            return model.model_validate_json(raw)
        except ValidationError as error:
            raise PermanentError(
                f"state document {key} is unreadable ({error}); delete it to start over"
            ) from error

    async def _write(self, name: str, state: BaseModel) -> None:
        await self._store.put(self.key(name), state.model_dump_json().encode())

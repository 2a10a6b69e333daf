"""Tracks the imported history names that the extractor should fetch: ``tracks-wanted``.

Plays imported from the data export (``spotify-etl import-history``) name
their track by URI only. After it has written its objects, the import merges
the distinct track ids of its plays into this state document
(``state/extractor/tracks-wanted.json``); the extractor's next run moves the
ids it has not stored yet into its pending-entities journal and empties the
document, and its runs then fetch them one ``GET /tracks/{id}`` at a time
within the entity budget. Both sides write with a condition on what they read
(``If-None-Match: *`` or ``If-Match: <etag>``), so an import and a run, or two
imports, never lose each other's ids. The model, the key and the merge live
here so that neither side imports the other.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Literal, Protocol

from pydantic import BaseModel, ValidationError

from spotify_etl_common.errors import PermanentError, TransientError
from spotify_etl_common.keys import state_key

WANTED_STATE = "tracks-wanted"
"""State name of the document (``state/extractor/tracks-wanted.json``)."""
ATTEMPTS = 5
"""Read-modify-write attempts before a lost race is an error (a run or import at once)."""
_TRACK_URI = re.compile(r"^spotify:track:([0-9A-Za-z]{22})$")


def wanted_key() -> str:
    """Key of the document."""
    return state_key(WANTED_STATE)


class WantedTracks(BaseModel):
    """The document: track ids referenced by imported plays, not yet taken by the extractor."""

    version: Literal[1] = 1
    track_ids: list[str] = []


def track_id(uri: str | None) -> str | None:
    """The id of a ``spotify:track:<22 base62>`` URI; None for anything else."""
    match = _TRACK_URI.match(uri or "")
    return match.group(1) if match else None


def merge(document: WantedTracks, ids: Iterable[str]) -> WantedTracks:
    """The document with ``ids`` added: distinct, sorted (the same ids give the same bytes)."""
    return WantedTracks(track_ids=sorted(set(document.track_ids) | set(ids)))


def parse(raw: bytes, key: str) -> WantedTracks:
    """The document's bytes as the model; a clear error if they are not one."""
    try:
        return WantedTracks.model_validate_json(raw)
    except ValidationError as error:
        raise PermanentError(
            f"state document {key} is unreadable ({error}); delete it (the next "
            "import-history writes it again)"
        ) from error


class VersionedStore(Protocol):
    """What the read-modify-write needs: versioned reads and conditional puts (S3Store)."""

    async def read_versioned(self, key: str) -> tuple[bytes, str] | None: ...

    async def put_conditionally(
        self, key: str, body: bytes, *, if_match: str | None = None
    ) -> str | None: ...


async def add_wanted(store: VersionedStore, ids: Iterable[str]) -> int:
    """Merge ``ids`` into the document, conditionally on what was read; how many were new.

    A write that lost a race (another import or a run changed the document in
    between) reads again and merges again, :data:`ATTEMPTS` times at most.
    """
    wanted = set(ids)
    if not wanted:
        return 0
    key = wanted_key()
    for _ in range(ATTEMPTS):
        current = await store.read_versioned(key)
        etag = current[1] if current is not None else None
        document = parse(current[0], key) if current is not None else WantedTracks()
        before = set(document.track_ids)
        if etag is not None and wanted <= before:
            return 0
        merged = merge(document, wanted)
        if await store.put_conditionally(key, merged.model_dump_json().encode(), if_match=etag):
            return len(wanted - before)
    raise TransientError(
        f"{key} kept changing under {ATTEMPTS} attempts to add the imported tracks to it "
        "(an extractor run or another import at the same moment): run the import again"
    )

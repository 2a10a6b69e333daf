"""Entities Spotify no longer has: the extractor's ``entities-gone`` state document.

An album, artist, episode or show referenced by what was fetched, answering
404 when fetched, is retried by the next runs; once ``runs`` reaches the
extractor's bound (``EXTRACTOR_GONE_AFTER``) it is recorded as ``gone`` with
the answer and no longer fetched, until someone asks (``extractor gone
--clear``). The extractor writes this document; ``spotify-etl status`` reads it
(the model and the key live here so that neither imports the other).
"""

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, BaseModel

from spotify_etl_common.keys import state_key
from spotify_etl_common.sources import Source

GONE_STATE = "entities-gone"
"""State name of the document (``state/extractor/entities-gone.json``)."""


def gone_key() -> str:
    """Key of the document."""
    return state_key(GONE_STATE)


class GoneEntry(BaseModel):
    """One entity that answered 404 (``gone`` once the runs bound was reached)."""

    source: Source
    entity_id: str
    status: int
    """The HTTP status of the last answer (404)."""
    message: str
    """Spotify's message in that answer."""
    first_seen: AwareDatetime
    last_seen: AwareDatetime
    runs: int
    """Runs whose fetch answered 404 (one per run)."""
    gone: bool = False
    """Recorded as gone: not fetched again until cleared."""


class GoneEntities(BaseModel):
    """The document: every entity that answered 404 and has not come back."""

    version: Literal[1] = 1
    entries: list[GoneEntry] = []

    def gone(self) -> list[GoneEntry]:
        """The entries recorded as gone, by source then id."""
        return sorted((e for e in self.entries if e.gone), key=lambda e: (e.source, e.entity_id))

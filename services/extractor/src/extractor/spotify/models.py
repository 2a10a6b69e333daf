"""Typed views of the Spotify answers, only the fields the extractor decides on.

The raw bytes are stored untouched; these models exist to read snapshot ids,
``next`` links, cursors and the album, artist and episode ids a page references. Both
playlist shapes are read: ``item`` (2026) and the legacy ``track``.
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError
from spotify_etl_common.errors import PermanentError

Item = TypeVar("Item")


class Loose(BaseModel):
    """A view of one Spotify object: unknown fields ignored, immutable."""

    model_config = ConfigDict(extra="ignore", frozen=True)


class Ref(Loose):
    """Anything with an id (null for local files)."""

    id: str | None = None


class Playable(Loose):
    """A track or an episode inside a playlist or a play."""

    id: str | None = None
    type: str | None = None
    is_local: bool = False
    album: Ref | None = None
    artists: list[Ref] = []


class PlaylistEntry(Loose):
    """One element of a playlist page, in either shape."""

    item: Playable | None = None
    track: Playable | None = None
    is_local: bool = False

    @property
    def content(self) -> Playable | None:
        """The 2026 ``item``, else the legacy ``track``."""
        return self.item or self.track


class PlaylistMeta(Loose):
    """The playlist object (metadata)."""

    id: str
    snapshot_id: str
    name: str | None = None


class Page(Loose, Generic[Item]):
    """An offset or cursor page: its items, the ``next`` link, the ``total`` it claims."""

    items: list[Item] = []
    next: str | None = None
    total: int | None = None


class PlaylistPage(Page[PlaylistEntry | None]):
    """One page of a playlist's items."""


class Cursors(Loose):
    after: str | None = None
    before: str | None = None


class Play(Loose):
    track: Playable | None = None
    played_at: str | None = None


class RecentPage(Loose):
    """One page of recently played."""

    items: list[Play] = []
    next: str | None = None
    cursors: Cursors | None = None


class References(BaseModel):
    """Album, artist, episode and show ids referenced by fetched pages."""

    albums: set[str] = set()
    artists: set[str] = set()
    episodes: set[str] = set()
    shows: set[str] = set()
    """Shows of saved shows and saved episodes (``GET /shows/{id}``, own per-run bound)."""

    def add(self, playable: Playable | None) -> None:
        """Collect the ids of one track (its album and artists) or the id of one episode
        (local files reference none)."""
        if playable is None or playable.is_local:
            return
        if playable.type == "episode":
            if playable.id:
                self.episodes.add(playable.id)
            return
        if playable.album and playable.album.id:
            self.albums.add(playable.album.id)
        self.artists.update(a.id for a in playable.artists if a.id)

    def merge(self, other: References) -> None:
        self.albums |= other.albums
        self.artists |= other.artists
        self.episodes |= other.episodes
        self.shows |= other.shows


def playlist_references(page: PlaylistPage) -> References:
    refs = References()
    for entry in page.items:
        if entry is not None:
            refs.add(entry.content)
    return refs


def recent_references(page: RecentPage) -> References:
    refs = References()
    for play in page.items:
        refs.add(play.track)
    return refs


T = TypeVar("T", bound=BaseModel)


def parse(model: type[T], data: Any, where: str) -> T:
    """Validate ``data``; an answer of an unknown shape is a permanent error naming ``where``."""
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise PermanentError(f"{where} sent an unexpected answer shape: {error}") from error

"""Configured playlists: ids, ``spotify:playlist:`` URIs, open.spotify.com URLs."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

_ID = re.compile(r"^[0-9A-Za-z]{22}$")
EDITORIAL_PREFIX = "37i9dQZ"
"""Spotify-owned editorial and algorithmic playlists have ids starting with this."""


@dataclass(frozen=True)
class PlaylistRef:
    """One configured playlist, parsed."""

    text: str
    """As configured."""
    playlist_id: str


@dataclass(frozen=True)
class BadRef:
    """A configured entry that is not a playlist reference."""

    text: str
    reason: str


def parse_playlist_ref(text: str) -> PlaylistRef | BadRef:
    """Parse one configured playlist; a :class:`BadRef` says what is wrong."""
    value = text.strip()
    candidate = value
    if value.startswith("spotify:"):
        parts = value.split(":")
        if len(parts) != 3 or parts[1] != "playlist":
            return BadRef(value, "expected a URI like spotify:playlist:<22-character id>")
        candidate = parts[2]
    elif value.startswith(("http://", "https://")):
        url = urlsplit(value)
        segments = [s for s in url.path.split("/") if s]
        if url.hostname != "open.spotify.com" or len(segments) < 2 or segments[-2] != "playlist":
            return BadRef(value, "expected a URL like https://open.spotify.com/playlist/<id>")
        candidate = segments[-1]
    if not _ID.match(candidate):
        return BadRef(value, "a playlist id is 22 letters and digits (base62)")
    return PlaylistRef(value, candidate)


def parse_playlist_refs(config: str) -> list[PlaylistRef | BadRef]:
    """Every comma-separated entry, duplicates (same id) removed, order kept."""
    seen: set[str] = set()
    refs: list[PlaylistRef | BadRef] = []
    for part in config.split(","):
        if not part.strip():
            continue
        ref = parse_playlist_ref(part)
        if isinstance(ref, PlaylistRef):
            if ref.playlist_id in seen:
                continue
            seen.add(ref.playlist_id)
        refs.append(ref)
    return refs

"""Which rows are the same play: the importer's side of ``distinct_plays``' first rule.

``distinct_plays`` (libs/views, rule 1) takes rows of one format with the same end
time, the same item and the same ``ms_played`` for copies of one play, and counts
such a group as often as the one object holding it most often holds it. The
importer keeps to that: :func:`play_key` is the same item and ``ms_played`` (the
item: the track id, else the episode id, else the names, lower case, else
"unknown"), and a group's rows always land in one object.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from spotify_etl_common.streaming_history import HistoryKind

_NAMES: Mapping[HistoryKind, tuple[tuple[str, str, str], ...]] = {
    HistoryKind.EXTENDED: (
        ("names", "master_metadata_album_artist_name", "master_metadata_track_name"),
        ("show", "episode_show_name", "episode_name"),
    ),
    HistoryKind.ACCOUNT_MUSIC: (("names", "artistName", "trackName"),),
    HistoryKind.ACCOUNT_PODCAST: (("show", "podcastName", "episodeName"),),
}


def play_key(row: Mapping[str, Any], kind: HistoryKind) -> str:
    """The item and ``ms_played`` of a scrubbed row, as one JSON text (no tab, no newline)."""
    ms = row.get("ms_played" if kind is HistoryKind.EXTENDED else "msPlayed")
    return json.dumps([_item(row, kind), -1 if ms is None else ms], ensure_ascii=True)


def _item(row: Mapping[str, Any], kind: HistoryKind) -> str:
    if kind is HistoryKind.EXTENDED:
        for field, prefix in (("spotify_track_uri", "track"), ("spotify_episode_uri", "episode")):
            uri = row.get(field)
            if isinstance(uri, str) and uri.startswith(f"spotify:{prefix}:"):
                return f"{prefix}:{uri.removeprefix(f'spotify:{prefix}:')}"
    for label, first, second in _NAMES[kind]:
        if row.get(first) is not None and row.get(second) is not None:
            return f"{label}:{str(row[first]).lower()}|{str(row[second]).lower()}"
    return "unknown"

"""The tracks imported plays name, handed to the extractor so that the lake gets their names.

An export's play names its track by URI (``spotify_track_uri``); the lake has a
``tracks`` row only for tracks the extractor fetched or met in its answers.
After the objects are written, the import merges the distinct track ids of
its plays into the extractor's ``tracks-wanted`` document
(:mod:`spotify_etl_common.wanted`); the extractor's next runs fetch those it
has not stored, within their entity budget. Until then views use the names the
export rows carry.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator

from spotify_etl_common.wanted import VersionedStore, add_wanted, track_id, wanted_key

from spotify_etl.history.batches import Chunk


def track_ids(body: bytes) -> set[str]:
    """The track ids of the plays in one object's body (rows without a track URI name none)."""
    rows = json.loads(body)
    return {i for row in rows if (i := track_id(row.get("spotify_track_uri"))) is not None}


class TrackIds:
    """Collects the track ids of the chunks that pass through it, on their way to be written."""

    def __init__(self) -> None:
        self.ids: set[str] = set()

    def passing(self, chunks: Iterable[Chunk]) -> Iterator[Chunk]:
        for chunk in chunks:
            self.ids |= track_ids(chunk.body)
            yield chunk


async def hand_over(store: VersionedStore, ids: set[str], say: Callable[[str], None]) -> int:
    """Merge ``ids`` into ``tracks-wanted`` (conditionally); says how many, returns the new."""
    if not ids:
        return 0
    new = await add_wanted(store, ids)
    say(
        f"{len(ids):,} tracks named by the plays handed to the extractor ({new:,} not asked "
        f"for before) in {wanted_key()}: its next runs fetch those the lake lacks"
    )
    return new

"""The tracks-wanted document: the pure merge and the conditional read-modify-write."""

from __future__ import annotations

import asyncio

import pytest
from spotify_etl_common.errors import PermanentError, TransientError
from spotify_etl_common.wanted import (
    ATTEMPTS,
    WantedTracks,
    add_wanted,
    merge,
    track_id,
    wanted_key,
)

A, B, C = "a" * 22, "b" * 22, "c" * 22


class VersionedMemory:
    """S3's conditional puts in memory; ``meddle`` runs between a read and the next write."""

    def __init__(self) -> None:
        self.objects: dict[str, tuple[bytes, str]] = {}
        self.writes = 0
        self.meddle: list[list[str]] = []

    async def read_versioned(self, key: str) -> tuple[bytes, str] | None:
        return self.objects.get(key)

    async def put_conditionally(
        self, key: str, body: bytes, *, if_match: str | None = None
    ) -> str | None:
        if self.meddle:  # another import writes first
            other = merge(self.document(), self.meddle.pop(0))
            self._store(key, other.model_dump_json().encode())
        current = self.objects.get(key)
        if (current[1] if current else None) != if_match:
            return None
        return self._store(key, body)

    def _store(self, key: str, body: bytes) -> str:
        self.writes += 1
        self.objects[key] = (body, f'"{self.writes}"')
        return self.objects[key][1]

    def document(self) -> WantedTracks:
        found = self.objects.get(wanted_key())
        return WantedTracks.model_validate_json(found[0]) if found else WantedTracks()


def test_merge_keeps_every_id_once_sorted() -> None:
    merged = merge(WantedTracks(track_ids=[C, A]), [B, A, B])
    assert merged.track_ids == [A, B, C]
    assert merge(merged, [C, A]).model_dump_json() == merged.model_dump_json()


def test_only_track_uris_name_a_track() -> None:
    assert track_id(f"spotify:track:{A}") == A
    for other in (None, "", f"spotify:episode:{A}", "spotify:track:short", f"spotify:track:{A}x"):
        assert track_id(other) is None


def test_two_imports_at_once_keep_both_sets_of_ids() -> None:
    store = VersionedMemory()
    assert asyncio.run(add_wanted(store, [A])) == 1
    store.meddle = [[C]]  # lands between this import's read and its write
    assert asyncio.run(add_wanted(store, [A, B])) == 1
    assert store.document().track_ids == [A, B, C]
    writes = store.writes
    assert asyncio.run(add_wanted(store, [B])) == 0
    assert store.writes == writes  # nothing new: not written


def test_a_document_that_keeps_changing_is_a_transient_error() -> None:
    store = VersionedMemory()
    store.meddle = [[C]] * ATTEMPTS
    with pytest.raises(TransientError, match="run the import again"):
        asyncio.run(add_wanted(store, [A]))


def test_an_unreadable_document_says_what_to_do() -> None:
    store = VersionedMemory()
    store.objects[wanted_key()] = (b"[1]", '"1"')
    with pytest.raises(PermanentError, match="delete it"):
        asyncio.run(add_wanted(store, [A]))

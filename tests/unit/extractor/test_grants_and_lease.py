"""The user's authorisation (pure), the run lease (conditional puts), the pending journal."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from datetime import UTC, datetime, timedelta

import pytest
from extractor.spotify.grants import (
    UserGrant,
    expiry_warning,
    invalid_grant_line,
    parse_secret,
    secret_text,
)
from extractor.state import lease
from extractor.state.documents import StateStore
from extractor.state.journal import PendingJournal
from spotify_etl_common.errors import PermanentError
from spotify_etl_common.messages import Source
from spotify_etl_common.s3 import ObjectInfo

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)


def test_days_left_count_from_authorized_at_plus_180_days() -> None:
    grant = UserGrant("t", NOW - timedelta(days=170))
    assert grant.days_left(NOW) == 10.0
    assert UserGrant("t").days_left(NOW) is None


def test_a_warning_under_14_days_names_the_end_and_the_command() -> None:
    assert expiry_warning(UserGrant("t", NOW - timedelta(days=100)), NOW) is None
    line = expiry_warning(UserGrant("t", NOW - timedelta(days=170)), NOW)
    assert line is not None
    assert "2026-12-11" in line
    assert "10.0 days left" in line
    assert "extractor auth --store" in line


def test_invalid_grant_says_expired_when_past_180_days_else_revoked() -> None:
    expired = invalid_grant_line(UserGrant("t", NOW - timedelta(days=200)), NOW)
    assert "given 2026-05-15 and expired 2026-11-11" in expired
    revoked = invalid_grant_line(UserGrant("t", NOW - timedelta(days=20)), NOW)
    assert "revoked or replaced" in revoked
    unknown = invalid_grant_line(UserGrant("t"), NOW)
    assert "unknown" in unknown
    for line in (expired, revoked, unknown):
        assert "expired or was revoked" in line
        assert "`extractor auth --store`" in line
        assert "\n" not in line


def test_the_secret_round_trips_and_a_bad_value_is_one_clear_error_without_the_token() -> None:
    grant = UserGrant("secret-token", NOW)
    assert parse_secret(secret_text(grant), "s") == grant
    with pytest.raises(PermanentError) as raised:
        parse_secret('{"refresh_token": "secret-token"}', "spotify/user")
    assert "spotify/user" in raised.value.reason
    assert "authorized_at" in raised.value.reason
    assert "secret-token" not in raised.value.reason
    assert "secret-token" not in repr(grant)


class MemoryStore:
    """Conditional puts with ETags, as S3 does them; plus the ObjectStore port."""

    def __init__(self) -> None:
        self.objects: dict[str, tuple[bytes, str]] = {}
        self.puts = 0
        self._n = 0

    def _etag(self) -> str:
        self._n += 1
        return f'"{self._n}"'

    async def put_conditionally(
        self, key: str, body: bytes, *, if_match: str | None = None
    ) -> str | None:
        current = self.objects.get(key)
        if (if_match is None and current is not None) or (
            if_match is not None and (current is None or current[1] != if_match)
        ):
            return None
        etag = self._etag()
        self.objects[key] = (body, etag)
        return etag

    async def read_versioned(self, key: str) -> tuple[bytes, str] | None:
        return self.objects.get(key)

    async def put(
        self,
        key: str,
        body: bytes,
        content_type: str = "application/json",
        metadata: Mapping[str, str] | None = None,
    ) -> None:
        self.puts += 1
        self.objects[key] = (body, self._etag())

    async def get_or_none(self, key: str) -> bytes | None:
        found = self.objects.get(key)
        return found[0] if found else None

    async def extracted_at(self, key: str) -> datetime | None:
        return None

    async def list(self, prefix: str) -> AsyncIterator[ObjectInfo]:
        for key in sorted(self.objects):
            if key.startswith(prefix):
                yield ObjectInfo(key, len(self.objects[key][0]), NOW)


async def test_a_second_run_finds_the_lease_held_until_its_expiry() -> None:
    store = MemoryStore()
    first = await lease.take(store, lease.lease_for("run-1", NOW, 3600), NOW)
    assert isinstance(first, lease.Held)
    assert first.took_over is None
    second = await lease.take(store, lease.lease_for("run-2", NOW, 3600), NOW)
    assert isinstance(second, lease.Busy)
    assert "run-1" in second.line()
    assert "2026-12-01 13:00:00 UTC" in second.line()
    assert await lease.release(store, first)
    assert lease.is_free(store.objects[lease.LEASE_KEY][0], NOW)  # released, not deleted
    assert lease.LEASE_KEY == "state/extractor/lease.json"
    third = await lease.take(store, lease.lease_for("run-3", NOW, 3600), NOW)
    assert isinstance(third, lease.Held)
    assert third.took_over is None  # a released lease is no crash


async def test_an_expired_lease_is_taken_over_and_the_old_holder_cannot_release_it() -> None:
    store = MemoryStore()
    crashed = await lease.take(store, lease.lease_for("crashed", NOW, 60), NOW)
    assert isinstance(crashed, lease.Held)
    later = NOW + timedelta(seconds=61)
    taken = await lease.take(store, lease.lease_for("next", later, 3600), later)
    assert isinstance(taken, lease.Held)
    assert taken.took_over is not None
    assert taken.took_over.run_id == "crashed"
    assert not await lease.release(store, crashed)  # not its lease any more
    assert lease.LEASE_KEY in store.objects
    assert await lease.release(store, taken)


async def test_two_takers_of_an_expired_lease_cannot_both_win() -> None:
    store = MemoryStore()
    await lease.take(store, lease.lease_for("crashed", NOW, 1), NOW)
    later = NOW + timedelta(seconds=5)
    stale_etag = store.objects[lease.LEASE_KEY][1]
    first = await lease.take(store, lease.lease_for("a", later, 3600), later)
    # "b" read the stale lease before "a" replaced it: its If-Match fails
    replaced = await store.put_conditionally(lease.LEASE_KEY, b"{}", if_match=stale_etag)
    assert isinstance(first, lease.Held)
    assert replaced is None


async def test_the_journal_is_written_through_on_every_change_and_read_back() -> None:
    store = MemoryStore()
    state = StateStore(store)
    journal = await PendingJournal.load(state)
    await journal.add([(Source.ALBUMS, "a"), (Source.ARTISTS, "x")])
    await journal.add([(Source.ALBUMS, "a")])  # no change, no write
    await journal.done([(Source.ARTISTS, "x")])
    assert journal.writes == 2
    again = await PendingJournal.load(state)
    assert again.entities == {(Source.ALBUMS, "a")}
    assert (await state.pending_entities()).albums == ["a"]

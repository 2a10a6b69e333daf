"""The fake serves a household: each refresh token answers with its own user's data only."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fake_spotify.catalog import OWNER_ID, CatalogSpec, build_catalog
from fake_spotify.household import FakeUser
from fake_spotify.server import FakeConfig, FakeSpotify

from tests.unit.fake_spotify.conftest import user_token

BOB = FakeUser("bob-id", "Bob", "bob-refresh-token", taste=9, plays=12, saved_tracks=15)


@pytest.fixture
def fake() -> Iterator[FakeSpotify]:
    spec = CatalogSpec(playlists=1, items=10, plays=12, saved_tracks=15)
    with FakeSpotify(build_catalog(spec), FakeConfig()) as server:
        server.service.add_user(BOB)
        yield server


def _get(fake: FakeSpotify, token: str, path: str) -> Any:
    answer = httpx.get(f"{fake.api_url}{path}", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_each_token_answers_its_own_users_me_plays_library_and_playlists(
    fake: FakeSpotify,
) -> None:
    first, bob = user_token(fake), user_token(fake, BOB.refresh_token)
    assert _get(fake, first, "/me")["id"] == OWNER_ID
    assert (_get(fake, bob, "/me")["id"], _get(fake, bob, "/me")["display_name"]) == (
        "bob-id",
        "Bob",
    )

    def plays(token: str) -> set[tuple[str, str]]:
        page = _get(fake, token, "/me/player/recently-played?limit=50&after=0")
        return {(p["track"]["id"], p["played_at"]) for p in page["items"]}

    def saved(token: str) -> set[str]:
        return {s["track"]["id"] for s in _get(fake, token, "/me/tracks?limit=50")["items"]}

    def owners(token: str) -> set[str]:
        page = _get(fake, token, "/me/playlists?limit=50")
        return {p["owner"]["id"] for p in page["items"] if not p["collaborative"]}

    assert len(plays(bob)) == 12
    assert plays(first).isdisjoint(plays(bob))
    assert saved(first) != saved(bob)
    assert owners(bob) == {"bob-id"}
    assert "bob-id" not in owners(first)
    assert set(fake.service.requests_by_user()) == {OWNER_ID, "bob-id"}


def test_another_users_playlist_items_answer_403_and_the_shared_catalogue_answers_all(
    fake: FakeSpotify,
) -> None:
    bobs = fake.service.users["bob-id"].own_playlist_ids[0]
    first = user_token(fake)
    items = httpx.get(
        f"{fake.api_url}/playlists/{bobs}/items", headers={"Authorization": f"Bearer {first}"}
    )
    assert items.status_code == 403
    assert _get(fake, user_token(fake, BOB.refresh_token), f"/playlists/{bobs}/items")["total"]
    album = next(iter(fake.catalog.albums))
    assert fake.service.users["bob-id"].albums is fake.catalog.albums
    assert _get(fake, user_token(fake, BOB.refresh_token), f"/albums/{album}")["id"] == album


def test_a_revoked_user_is_refused_invalid_grant_and_the_others_are_not(fake: FakeSpotify) -> None:
    revoked = httpx.post(f"{fake.url}/fake/revoke?user=bob-id")
    assert revoked.status_code == 200
    answer = httpx.post(
        f"{fake.url}/api/token",
        data={"grant_type": "refresh_token", "refresh_token": BOB.refresh_token},
        auth=("fake-client-id", "fake-client-secret"),
    )
    assert (answer.status_code, answer.json()["error"]) == (400, "invalid_grant")
    assert _get(fake, user_token(fake), "/me")["id"] == OWNER_ID

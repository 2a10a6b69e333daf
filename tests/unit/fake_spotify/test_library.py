"""The fake's library routes: saved items newest first, top items per range, follows by cursor,
scopes, collaborative playlists, and a library that changes between runs."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fake_spotify.catalog import OWNER_ID, CatalogSpec, build_catalog
from fake_spotify.server import FakeConfig, FakeSpotify

from tests.unit.fake_spotify.conftest import user_token

PLAYLISTS_ONLY = "playlists-only-refresh-token"


@pytest.fixture
def fake() -> Iterator[FakeSpotify]:
    config = FakeConfig(scoped_refresh_tokens={PLAYLISTS_ONLY: "playlist-read-private"})
    spec = CatalogSpec(playlists=2, items=30, plays=10, saved_tracks=120, followed_artists=12)
    with FakeSpotify(build_catalog(spec), config) as server:
        yield server


def _pages(http: httpx.Client, url: str | None, wrapped: str | None = None) -> list[Any]:
    pages = []
    while url:
        answer = http.get(url)
        assert answer.status_code == 200, answer.text
        body = answer.json()[wrapped] if wrapped else answer.json()
        pages.append(body)
        url = body["next"]
    return pages


def test_saved_tracks_come_newest_first_in_pages_of_at_most_50(fake: FakeSpotify) -> None:
    with httpx.Client(headers={"Authorization": f"Bearer {user_token(fake)}"}) as http:
        pages = _pages(http, f"{fake.api_url}/me/tracks?limit=50")
        too_big = http.get(f"{fake.api_url}/me/tracks?limit=51")
    items = [i for p in pages for i in p["items"]]
    assert [len(p["items"]) for p in pages] == [50, 50, 20]
    stamps = [i["added_at"] for i in items]
    assert stamps == sorted(stamps, reverse=True)
    assert len({i["track"]["id"] for i in items}) == 120 == pages[0]["total"]
    assert too_big.status_code == 400


def test_a_new_release_saved_between_runs_leads_the_first_page(fake: FakeSpotify) -> None:
    new = fake.catalog.save_new_release(3)
    with httpx.Client(headers={"Authorization": f"Bearer {user_token(fake)}"}) as http:
        first = http.get(f"{fake.api_url}/me/tracks?limit=5").json()
        track = http.get(f"{fake.api_url}/tracks/{new[0]}")
    assert {i["track"]["id"] for i in first["items"][:3]} == set(new)
    assert first["total"] == 123
    assert track.status_code == 200


def test_top_items_pages_carry_their_time_range_and_offset(fake: FakeSpotify) -> None:
    with httpx.Client(headers={"Authorization": f"Bearer {user_token(fake)}"}) as http:
        short = _pages(http, f"{fake.api_url}/me/top/artists?time_range=short_term&limit=4")
        long = http.get(f"{fake.api_url}/me/top/artists?time_range=long_term&limit=4").json()
        bad = http.get(f"{fake.api_url}/me/top/artists?time_range=forever")
    assert [p["offset"] for p in short] == [0, 4, 8]  # 10 artists in this catalogue
    assert all("time_range=short_term" in p["href"] for p in short)
    assert "offset=4" in short[1]["href"]
    short_ids = [a["id"] for p in short for a in p["items"]]
    assert len(short_ids) == len(set(short_ids)) == 10
    assert short_ids[:4] != [a["id"] for a in long["items"]]
    assert bad.status_code == 400
    fake.catalog.library.shift_taste("short_term", by=3)
    with httpx.Client(headers={"Authorization": f"Bearer {user_token(fake)}"}) as http:
        shifted = http.get(f"{fake.api_url}/me/top/artists?time_range=short_term&limit=50")
    assert [a["id"] for a in shifted.json()["items"]] == short_ids[3:] + short_ids[:3][::-1]


def test_followed_artists_are_cursor_pages_wrapped_in_artists(fake: FakeSpotify) -> None:
    with httpx.Client(headers={"Authorization": f"Bearer {user_token(fake)}"}) as http:
        pages = _pages(http, f"{fake.api_url}/me/following?type=artist&limit=5", "artists")
        no_type = http.get(f"{fake.api_url}/me/following")
    ids = [a["id"] for p in pages for a in p["items"]]
    assert ids == fake.catalog.library.followed_artists
    assert len(ids) == 10  # every artist of this small catalogue
    assert [p["cursors"]["after"] for p in pages] == [ids[4], None]
    assert no_type.status_code == 400


ROUTES = ("/me/tracks", "/me/top/tracks", "/me/following?type=artist", "/me/playlists")


def test_library_routes_answer_403_without_their_scope(fake: FakeSpotify) -> None:
    token = user_token(fake, PLAYLISTS_ONLY)
    with httpx.Client(headers={"Authorization": f"Bearer {token}"}) as http:
        statuses = {
            path: http.get(f"{fake.api_url}{path}").status_code
            for path in (
                "/me/tracks",
                "/me/top/tracks",
                "/me/following?type=artist",
                "/me/playlists",
            )
        }
    assert statuses == {
        "/me/tracks": 403,
        "/me/top/tracks": 403,
        "/me/following?type=artist": 403,
        "/me/playlists": 200,
    }


def test_my_playlists_list_others_and_collaborative_ones_under_a_users_href(
    fake: FakeSpotify,
) -> None:
    with httpx.Client(headers={"Authorization": f"Bearer {user_token(fake)}"}) as http:
        page = http.get(f"{fake.api_url}/me/playlists?limit=50").json()
        by_kind = {
            (p["owner"]["id"] == OWNER_ID, p["collaborative"]): p["id"] for p in page["items"]
        }
        collaborative = http.get(f"{fake.api_url}/playlists/{by_kind[(False, True)]}/items")
        others = http.get(f"{fake.api_url}/playlists/{by_kind[(False, False)]}/items")
    assert f"/users/{OWNER_ID}/playlists" in page["href"]
    assert set(by_kind) == {(True, False), (False, True), (False, False)}
    assert (collaborative.status_code, others.status_code) == (200, 403)


def test_shows_and_episodes_answer_by_id(fake: FakeSpotify) -> None:
    show_id = next(iter(fake.catalog.shows))
    with httpx.Client(headers={"Authorization": f"Bearer {user_token(fake)}"}) as http:
        show = http.get(f"{fake.api_url}/shows/{show_id}").json()
        episode_id = show["episodes"]["items"][0]["id"]
        episode = http.get(f"{fake.api_url}/episodes/{episode_id}").json()
        missing = http.get(f"{fake.api_url}/shows/{'0' * 22}")
    assert episode["show"]["id"] == show_id
    assert missing.status_code == 404


def test_a_library_of_thousands_of_saved_tracks_is_one_knob_away() -> None:
    catalog = build_catalog(CatalogSpec(playlists=1, items=10, saved_tracks=3000))
    assert len(catalog.library.tracks) == 3000
    assert len({s.id for s in catalog.library.tracks}) == 3000


def test_the_library_changes_through_the_admin_endpoint(fake: FakeSpotify) -> None:
    before = len(fake.catalog.library.tracks)
    saved = httpx.post(f"{fake.url}/fake/library/new-release?tracks=2").json()["saved"]
    gone = fake.catalog.library.tracks[-1].id
    httpx.post(f"{fake.url}/fake/library/unsave?kind=tracks&ids={gone}")
    bad = httpx.post(f"{fake.url}/fake/library/unsave?kind=songs&ids=x")
    unknown = httpx.post(f"{fake.url}/fake/library/forget-everything")
    ids = [s.id for s in fake.catalog.library.tracks]
    assert len(ids) == before + 2 - 1
    assert set(saved) <= set(ids[:2])
    assert gone not in ids
    assert (bad.status_code, unknown.status_code) == (400, 404)

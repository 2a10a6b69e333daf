"""The fake's own behaviour: tokens and expiry, rolling window, ownership rules, edge-case data."""

from __future__ import annotations

import httpx
from fake_spotify.catalog import EDITORIAL_PLAYLIST_ID, CatalogSpec, build_catalog
from fake_spotify.server import FakeConfig, FakeSpotify
from fake_spotify.window import RollingWindow, retry_after_header

from tests.unit.fake_spotify.conftest import user_token


def test_same_spec_gives_the_same_catalogue() -> None:
    one, two = build_catalog(CatalogSpec(seed=3)), build_catalog(CatalogSpec(seed=3))
    assert one.own_playlist_ids == two.own_playlist_ids
    assert [p.snapshot_id for p in one.playlists.values()] == [
        p.snapshot_id for p in two.playlists.values()
    ]
    assert one.tracks == two.tracks


def test_catalogue_carries_the_edge_cases_the_transformer_needs() -> None:
    catalog = build_catalog(CatalogSpec(playlists=2, items=60))
    kinds = {e.kind for p in catalog.playlists.values() for e in p.entries}
    assert kinds == {"track", "episode", "local", "null"}
    assert {a.precision for a in catalog.albums.values()} == {"year", "month", "day"}
    assert any(t.popularity is None for t in catalog.tracks.values())
    assert any(len(t.artist_ids) > 1 for t in catalog.tracks.values())
    assert any(not a.has_deprecated for a in catalog.artists.values())
    assert any(not t.name.isascii() for t in catalog.tracks.values())


def test_touch_changes_the_snapshot_id() -> None:
    catalog = build_catalog(CatalogSpec())
    playlist_id = catalog.own_playlist_ids[0]
    before = catalog.playlists[playlist_id].snapshot_id
    assert catalog.touch(playlist_id) != before


def test_rolling_window_admits_the_limit_then_says_how_long_to_wait() -> None:
    now = [0.0]
    window = RollingWindow(2, 30.0, lambda: now[0])
    assert window.admit() is None
    now[0] = 10.0
    assert window.admit() is None
    assert window.admit() == 20.0
    now[0] = 30.0
    assert window.admit() is None
    assert retry_after_header(0.2) == "1"
    assert retry_after_header(20.0) == "20"


def test_expired_tokens_answer_401(fake: FakeSpotify) -> None:
    token = user_token(fake)
    fake.tokens.expire_all()
    answer = httpx.get(f"{fake.api_url}/me", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 401
    assert answer.json()["error"]["message"] == "The access token expired"


def test_wrong_client_secret_answers_401_invalid_client(fake: FakeSpotify) -> None:
    answer = httpx.post(
        f"{fake.url}/api/token",
        data={"grant_type": "client_credentials"},
        auth=("fake-client-id", "wrong"),
    )
    assert answer.status_code == 401
    assert answer.json()["error"] == "invalid_client"


def test_items_of_others_playlists_are_403_and_editorial_ones_404(fake: FakeSpotify) -> None:
    headers = {"Authorization": f"Bearer {user_token(fake)}"}
    other = next(p for p in fake.catalog.playlists if p not in fake.catalog.own_playlist_ids)
    with httpx.Client(headers=headers) as http:
        assert http.get(f"{fake.api_url}/playlists/{other}").status_code == 200
        assert http.get(f"{fake.api_url}/playlists/{other}/items").status_code == 403
        assert http.get(f"{fake.api_url}/playlists/{EDITORIAL_PLAYLIST_ID}").status_code == 404
        too_big = http.get(
            f"{fake.api_url}/playlists/{fake.catalog.own_playlist_ids[0]}/items",
            params={"limit": 100},
        )
        assert too_big.status_code == 400


def test_recently_played_needs_its_scope(fake: FakeSpotify) -> None:
    token = user_token(fake, "fake-refresh-token-no-scopes")
    answer = httpx.get(
        f"{fake.api_url}/me/player/recently-played", headers={"Authorization": f"Bearer {token}"}
    )
    assert answer.status_code == 403
    assert "scope" in answer.json()["error"]["message"]


def test_recently_played_pages_forward_from_the_after_cursor(fake: FakeSpotify) -> None:
    headers = {"Authorization": f"Bearer {user_token(fake)}"}
    seen: list[str] = []
    url: str | None = f"{fake.api_url}/me/player/recently-played?after=0&limit=20"
    with httpx.Client(headers=headers) as http:
        while url:
            body = http.get(url).json()
            seen += [item["played_at"] for item in body["items"]]
            url = body["next"]
    assert len(seen) == len(set(seen)) == len(fake.catalog.plays)


def test_injected_errors_are_5xx() -> None:
    catalog = build_catalog(CatalogSpec(1, 5, 5))
    with FakeSpotify(catalog, FakeConfig(error_rate=1.0)) as failing:
        headers = {"Authorization": f"Bearer {user_token(failing)}"}
        answer = httpx.get(f"{failing.api_url}/me", headers=headers)
    assert answer.status_code in (500, 502, 503)

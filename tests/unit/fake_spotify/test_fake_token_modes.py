"""The fake's 2026 modes, each behind a flag: rotation, expired grants, daily quota, bare 429s."""

from __future__ import annotations

import base64

from fake_spotify.api import FakeWebApi
from fake_spotify.catalog import CatalogSpec, build_catalog
from fake_spotify.server import FakeConfig

BASIC = "Basic " + base64.b64encode(b"fake-client-id:fake-client-secret").decode()


def _api(config: FakeConfig) -> FakeWebApi:
    return FakeWebApi(build_catalog(CatalogSpec(playlists=1, items=5, plays=5)), config)


def _refresh(api: FakeWebApi, token: str) -> tuple[int, dict[str, object]]:
    reply = api.token(BASIC, {"grant_type": "refresh_token", "refresh_token": token})
    return reply.status, reply.body


def test_without_rotation_the_refresh_token_is_reused_and_none_is_returned() -> None:
    api = _api(FakeConfig())
    for _ in range(2):
        status, body = _refresh(api, "fake-refresh-token")
        assert status == 200
        assert "refresh_token" not in body


def test_rotation_returns_a_new_token_each_refresh_and_refuses_the_used_one() -> None:
    api = _api(FakeConfig(rotate_refresh_tokens=True))
    status, body = _refresh(api, "fake-refresh-token")
    assert status == 200
    rotated = str(body["refresh_token"])
    assert _refresh(api, "fake-refresh-token") == (
        400,
        {"error": "invalid_grant", "error_description": "Invalid refresh token"},
    )
    status, again = _refresh(api, rotated)
    assert status == 200
    assert again["refresh_token"] not in (rotated, "fake-refresh-token")
    assert api.refresh_tokens.rotations == 2


def test_an_expired_authorisation_answers_invalid_grant() -> None:
    status, body = _refresh(_api(FakeConfig(refresh_token_expired=True)), "fake-refresh-token")
    assert status == 400
    assert body["error"] == "invalid_grant"


def test_the_daily_quota_answers_429_quota_exceeded_with_a_day_of_retry_after() -> None:
    api = _api(FakeConfig(daily_quota=2))
    token = str(api.token(BASIC, {"grant_type": "client_credentials"}).body["access_token"])
    statuses = [
        api.handle_api("/albums/x", {}, f"Bearer {token}", "http://fake/v1").status
        for _ in range(2)
    ]
    assert 429 not in statuses
    over = api.handle_api("/albums/x", {}, f"Bearer {token}", "http://fake/v1")
    assert over.status == 429
    assert over.body["error"]["reason"] == "QUOTA_EXCEEDED"
    assert dict(over.headers)["Retry-After"] == "86400"
    assert api.stats["quota_exceeded"] == 1


def test_rate_limit_429s_can_come_without_retry_after() -> None:
    api = _api(FakeConfig(rate_limit=1, window=60, omit_retry_after=True))
    api.handle_api("/albums/x", {}, None, "http://fake/v1")
    limited = api.handle_api("/albums/x", {}, None, "http://fake/v1")
    assert limited.status == 429
    assert "Retry-After" not in dict(limited.headers)
    assert "reason" not in limited.body["error"]

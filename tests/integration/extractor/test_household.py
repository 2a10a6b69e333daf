"""A household against Secrets Manager: each user's grant in their own secret, a rotated
token written back to that user's secret only, one line per user carrying their Spotify id."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from extractor.main import extract, main
from extractor.settings import ExtractorSettings
from fake_spotify.household import FakeUser
from fake_spotify.server import FakeConfig
from spotify_etl.local.provision import Provisioned

from tests.conftest import LocalAws
from tests.integration.extractor.conftest import point_at
from tests.integration.extractor.test_tokens_quota_lease import MakeFake

pytestmark = pytest.mark.integration
USERS = (
    FakeUser("alice-id", "Alice", "alice-token", taste=3),
    FakeUser("bob-id", "Bob", "bob-token", taste=11),
)


def _household(moto: LocalAws, given: datetime) -> str:
    prefix = f"household-{uuid.uuid4().hex[:8]}/"
    secrets = moto.client("secretsmanager")
    for user in USERS:
        value = {
            "refresh_token": user.refresh_token,
            "authorized_at": given.isoformat(),
            "id": user.user_id,
        }
        secrets.create_secret(
            Name=f"{prefix}{user.display_name.lower()}", SecretString=json.dumps(value)
        )
    return prefix


def _stored_token(moto: LocalAws, name: str) -> str:
    raw = moto.client("secretsmanager").get_secret_value(SecretId=name)["SecretString"]
    return str(json.loads(raw)["refresh_token"])


async def test_each_rotated_token_goes_back_to_its_own_users_secret(
    stack: Provisioned, moto_server: LocalAws, make_fake: MakeFake, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = make_fake(FakeConfig(rotate_refresh_tokens=True))
    for user in USERS:
        fake.service.add_user(user)
    prefix = _household(moto_server, datetime.now(UTC) - timedelta(days=10))
    point_at(
        fake,
        monkeypatch,
        EXTRACTOR_USERS="alice,bob",
        SPOTIFY_USER_SECRET_PREFIX=prefix,
        EXTRACTOR_PLAYLISTS="",
    )
    monkeypatch.delenv("SPOTIFY_REFRESH_TOKEN")

    first = await extract(ExtractorSettings())

    assert first.ok, first.summary_lines()
    tokens = fake.service.refresh_tokens
    for user in USERS:
        stored = _stored_token(moto_server, f"{prefix}{user.display_name.lower()}")
        assert stored != user.refresh_token
        assert tokens.token_of(user.user_id) == stored  # the user's own new token
    second = await extract(ExtractorSettings())
    assert second.ok, second.summary_lines()
    assert {u.user_id for u in second.users} == {"alice-id", "bob-id"}


def test_the_runs_lines_name_each_user_by_spotify_id_and_never_a_token(
    stack: Provisioned,
    moto_server: LocalAws,
    make_fake: MakeFake,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    fake = make_fake(FakeConfig())
    for user in USERS:
        fake.service.add_user(user)
    fake.service.refresh_tokens.revoke("bob-id")
    prefix = _household(moto_server, datetime.now(UTC) - timedelta(days=10))
    point_at(
        fake,
        monkeypatch,
        EXTRACTOR_USERS="alice,bob",
        SPOTIFY_USER_SECRET_PREFIX=prefix,
        EXTRACTOR_PLAYLISTS="",
    )
    monkeypatch.delenv("SPOTIFY_REFRESH_TOKEN")

    assert main(["run-once"]) == 1

    shown = capsys.readouterr()
    events = [json.loads(line) for line in shown.out.splitlines() if line.startswith("{")]
    users = {e["user"]: e for e in events if e.get("event") == "extract.user.summary"}
    assert set(users) == {"alice-id", "bob-id"}
    assert (users["alice-id"]["status"], users["bob-id"]["status"]) == ("extracted", "failed")
    assert users["bob-id"]["User"] == "bob-id"  # the EMF dimension
    assert users["bob-id"]["UserExtractionFailed"] == 1
    done = [e for e in events if e.get("event") == "extract.source.done"]
    assert {e["user"] for e in done if e["source"] == "recently played"} == {"alice-id"}
    [failed] = [line for line in shown.err.splitlines() if line.startswith("FAILED")]
    assert failed.startswith("FAILED user bob: Spotify refused the refresh token")
    assert "`extractor auth --store --user bob`" in failed
    for user in USERS:
        assert user.refresh_token not in shown.out + shown.err
    assert "fake-user-token" not in shown.out + shown.err

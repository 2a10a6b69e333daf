"""``extractor auth --store``: the refresh token goes to Secrets Manager, never to the terminal."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import pytest
from extractor.main import store_grant
from extractor.settings import SecretStoreSettings
from extractor.spotify.grants import UserGrant

from tests.conftest import LocalAws

pytestmark = pytest.mark.integration


def test_store_creates_the_secret_then_replaces_its_value_without_printing_the_token(
    aws_env: LocalAws, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    name = f"spotify-user-{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("SPOTIFY_CLIENT_ID", "id")
    monkeypatch.setenv("SPOTIFY_CLIENT_SECRET", "secret")
    monkeypatch.setenv("SPOTIFY_REFRESH_TOKEN_SECRET", name)
    secrets = aws_env.client("secretsmanager")
    first = datetime(2026, 11, 1, tzinfo=UTC)

    assert store_grant(SecretStoreSettings(), UserGrant("token-one", first)) == 0
    assert store_grant(SecretStoreSettings(), UserGrant("token-two", first)) == 0

    value = json.loads(secrets.get_secret_value(SecretId=name)["SecretString"])
    assert value == {"refresh_token": "token-two", "authorized_at": "2026-11-01T00:00:00Z"}
    shown = capsys.readouterr()
    assert "token-one" not in shown.out + shown.err
    assert "token-two" not in shown.out + shown.err
    assert f"secret {name}" in shown.out
    assert "2027-04-30" in shown.out


def test_store_without_the_secret_variable_says_which_variable_to_set(
    aws_env: LocalAws, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SPOTIFY_CLIENT_ID", "id")
    monkeypatch.setenv("SPOTIFY_CLIENT_SECRET", "secret")
    monkeypatch.delenv("SPOTIFY_REFRESH_TOKEN_SECRET", raising=False)

    assert store_grant(SecretStoreSettings(), UserGrant("t", datetime.now(UTC))) == 2
    assert "SPOTIFY_REFRESH_TOKEN_SECRET" in capsys.readouterr().err


def test_store_for_a_household_user_writes_their_own_secret_with_who_they_are(
    aws_env: LocalAws, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    prefix = f"household-{uuid.uuid4().hex[:8]}/"
    monkeypatch.setenv("SPOTIFY_CLIENT_ID", "id")
    monkeypatch.setenv("SPOTIFY_CLIENT_SECRET", "secret")
    monkeypatch.setenv("SPOTIFY_USER_SECRET_PREFIX", prefix)
    monkeypatch.setenv("EXTRACTOR_USERS", "alice")
    given = datetime(2026, 11, 1, tzinfo=UTC)

    grant = UserGrant("bobs-token", given, "bob-id", "Bob")
    assert store_grant(SecretStoreSettings(), grant, "bob") == 0

    secrets = aws_env.client("secretsmanager")
    value = json.loads(secrets.get_secret_value(SecretId=f"{prefix}bob")["SecretString"])
    assert value == {
        "refresh_token": "bobs-token",
        "authorized_at": "2026-11-01T00:00:00Z",
        "id": "bob-id",
        "display_name": "Bob",
    }
    shown = capsys.readouterr()
    assert "bobs-token" not in shown.out + shown.err
    assert "`extractor auth --store --user bob`" in shown.out
    assert "add bob to EXTRACTOR_USERS" in shown.out

"""AWS retries are botocore's own: AWS_MAX_ATTEMPTS and AWS_RETRY_MODE win, today's otherwise."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from aiobotocore.session import get_session
from spotify_etl_common.aws import client_config, s3_client, sdk_retries


@dataclass(frozen=True)
class Unreachable:
    """Endpoints of nothing (the client is built, never called)."""

    aws_region: str = "us-east-1"

    def endpoint_for(self, service: str) -> str | None:
        return "http://127.0.0.1:9"


def test_unset_variables_keep_five_adaptive_retries() -> None:
    assert sdk_retries(None, None) == {"max_attempts": 5, "mode": "adaptive"}


def test_a_configured_value_is_left_to_botocore() -> None:
    assert sdk_retries("2", None) == {"mode": "adaptive"}
    assert sdk_retries(None, "standard") == {"max_attempts": 5}
    assert sdk_retries("3", "legacy") == {}


def test_the_config_reads_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent/aws-config")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "2")
    monkeypatch.setenv("AWS_RETRY_MODE", "standard")
    assert client_config(get_session()).retries == {}
    monkeypatch.delenv("AWS_MAX_ATTEMPTS")
    monkeypatch.delenv("AWS_RETRY_MODE")
    assert client_config(get_session()).retries == {"max_attempts": 5, "mode": "adaptive"}


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, {"total_max_attempts": 6, "mode": "adaptive"}),
        ({"AWS_MAX_ATTEMPTS": "2"}, {"total_max_attempts": 2, "mode": "adaptive"}),
        ({"AWS_RETRY_MODE": "standard"}, {"total_max_attempts": 6, "mode": "standard"}),
        (
            {"AWS_MAX_ATTEMPTS": "1", "AWS_RETRY_MODE": "legacy"},
            {"total_max_attempts": 1, "mode": "legacy"},
        ),
    ],
)
async def test_a_built_client_retries_as_the_environment_says(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], expected: dict[str, object]
) -> None:
    for name in ("AWS_MAX_ATTEMPTS", "AWS_RETRY_MODE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent/aws-config")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    async with s3_client(Unreachable()) as s3:
        assert s3.meta.config.retries == expected

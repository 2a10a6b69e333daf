"""The CLI's settings follow the recorded local stack when no endpoint is set."""

from __future__ import annotations

from spotify_etl.local.provision import StackNames
from spotify_etl.local.state import LocalStack
from spotify_etl.settings import OpsSettings, effective_environment

STACK = LocalStack(pid=1, endpoint="http://127.0.0.1:5999", names=StackNames(), log_file="x")


def test_local_stack_env_is_used_when_no_endpoint_is_set() -> None:
    env = effective_environment({"HOME": "/root", "SPOTIFY_ETL_BUCKET": "other"}, STACK)
    assert env["AWS_ENDPOINT_URL"] == "http://127.0.0.1:5999"
    assert env["SPOTIFY_ETL_BUCKET"] == "spotify-etl-local"
    assert env["HOME"] == "/root"
    settings = OpsSettings.model_validate(env)
    assert settings.transform_queue == "spotify-etl-transform"
    assert settings.cataloger_database == "spotify"


def test_an_explicit_endpoint_wins_over_the_local_stack() -> None:
    environ = {"AWS_ENDPOINT_URL": "http://elsewhere:4566", "SPOTIFY_ETL_BUCKET": "b"}
    assert effective_environment(environ, STACK) == environ


def test_without_a_local_stack_the_environment_is_unchanged() -> None:
    assert effective_environment({"A": "1"}, None) == {"A": "1"}

"""Shared fixtures: one real moto server per test session, fresh names per test."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
import structlog
from fake_spotify.server import FakeSpotify
from moto.server import ThreadedMotoServer
from spotify_etl.local.provision import Provisioned, StackNames, provision

from tests.placement import misplacement

REGION = "us-east-1"


def stack_database(bucket: str) -> str:
    """The Glue database of a test stack's Iceberg tables, named after its bucket: stacks
    sharing one moto server share no table."""
    return bucket.removesuffix("-bucket").replace("-", "_")


@dataclass(frozen=True)
class LocalAws:
    """A moto server endpoint and the environment that points clients at it."""

    endpoint: str

    def env(self, names: StackNames | None = None) -> dict[str, str]:
        env = {
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_REGION": REGION,
            "AWS_DEFAULT_REGION": REGION,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
        }
        if names is not None:
            env |= {
                "SPOTIFY_ETL_BUCKET": names.bucket,
                "SPOTIFY_ETL_TRANSFORM_QUEUE": names.transform_queue,
                "SPOTIFY_ETL_CATALOG_QUEUE": names.catalog_queue,
                # the Iceberg tables of one stack: tests sharing the moto server share no table
                "CATALOGER_DATABASE": stack_database(names.bucket),
            }
        return env

    def client(self, service: Any) -> Any:
        """A boto3 client of ``service`` on the moto server (typed loosely for any service)."""
        return boto3.client(
            service,
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )


def fake_spotify_env(fake: FakeSpotify) -> dict[str, str]:
    """Extractor variables pointing at ``fake``: its credentials, own playlists and plays."""
    return {
        "SPOTIFY_CLIENT_ID": "fake-client-id",
        "SPOTIFY_CLIENT_SECRET": "fake-client-secret",
        "SPOTIFY_REFRESH_TOKEN": "fake-refresh-token",
        "SPOTIFY_API_URL": fake.api_url,
        "SPOTIFY_ACCOUNTS_URL": fake.url,
        "EXTRACTOR_PLAYLISTS": ",".join(fake.catalog.own_playlist_ids),
        "EXTRACTOR_RECENTLY_PLAYED": "true",
    }


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Refuse to run a test that needs the moto server but is filed or marked as a unit test."""
    tests = Path(__file__).parent
    problems = []
    for item in items:
        relative = item.path.relative_to(tests) if item.path.is_relative_to(tests) else None
        folder = relative.parts[0] if relative is not None and len(relative.parts) > 1 else ""
        markers = {mark.name for mark in item.iter_markers()}
        problem = misplacement(folder, markers, getattr(item, "fixturenames", ()))
        if problem:
            problems.append(f"{item.nodeid} {problem}")
    if problems:
        raise pytest.UsageError("misfiled tests:\n" + "\n".join(problems))


@pytest.fixture(autouse=True)
def reset_logging() -> Iterator[None]:
    """A service main run in-process configures structlog on a captured stream; undo it."""
    yield
    structlog.reset_defaults()
    structlog.contextvars.clear_contextvars()


@pytest.fixture(scope="session")
def moto_server() -> Iterator[LocalAws]:
    """A real moto server on a free loopback port for the whole session."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield LocalAws(endpoint=f"http://{host}:{port}")
    server.stop()


@pytest.fixture
def aws_env(moto_server: LocalAws, monkeypatch: pytest.MonkeyPatch) -> LocalAws:
    """Point every AWS client of this process at the moto server."""
    for key, value in moto_server.env().items():
        monkeypatch.setenv(key, value)
    return moto_server


@pytest.fixture
def stack(aws_env: LocalAws, monkeypatch: pytest.MonkeyPatch) -> Provisioned:
    """A fresh bucket and work queues (with DLQs) on the moto server; env set."""
    names = StackNames.unique()
    provisioned = provision(aws_env.client("s3"), aws_env.client("sqs"), names, REGION)
    for key, value in aws_env.env(names).items():
        monkeypatch.setenv(key, value)
    return provisioned

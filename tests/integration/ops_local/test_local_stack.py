"""`spotify-etl local up` starts moto, provisions idempotently, prints exports; `down` stops it."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import boto3
import httpx
import pytest

pytestmark = pytest.mark.integration


def cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "spotify_etl", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.fixture
def env(tmp_path: Path) -> Iterator[dict[str, str]]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "SPOTIFY_ETL"))}
    clean["SPOTIFY_ETL_STATE_DIR"] = str(tmp_path)
    yield clean
    cli("local", "down", env=clean)


def parse_exports(stdout: str) -> dict[str, str]:
    pairs = [line.removeprefix("export ").split("=", 1) for line in stdout.splitlines()]
    return dict(pairs)  # type: ignore[arg-type]


def test_local_up_twice_leaves_one_bucket_and_four_queues(env: dict[str, str]) -> None:
    first = cli("local", "up", env=env)
    assert first.returncode == 0, first.stderr
    second = cli("local", "up", env=env)
    assert second.returncode == 0, second.stderr
    exports = parse_exports(first.stdout)
    assert parse_exports(second.stdout) == exports
    endpoint = exports["AWS_ENDPOINT_URL"]
    session = boto3.session.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
    )
    buckets = session.client("s3", endpoint_url=endpoint).list_buckets()["Buckets"]
    assert [b["Name"] for b in buckets] == [exports["SPOTIFY_ETL_BUCKET"]]
    sqs = session.client("sqs", endpoint_url=endpoint)
    urls = sorted(sqs.list_queues()["QueueUrls"])
    assert [u.rsplit("/", 1)[-1] for u in urls] == [
        "spotify-etl-catalog",
        "spotify-etl-catalog-dlq",
        "spotify-etl-transform",
        "spotify-etl-transform-dlq",
    ]
    transform = next(u for u in urls if u.endswith("spotify-etl-transform"))
    policy = sqs.get_queue_attributes(QueueUrl=transform, AttributeNames=["RedrivePolicy"])
    assert "spotify-etl-transform-dlq" in policy["Attributes"]["RedrivePolicy"]


def test_local_down_stops_the_server_and_env_then_fails(env: dict[str, str]) -> None:
    up = cli("local", "up", env=env)
    assert up.returncode == 0
    endpoint = parse_exports(up.stdout)["AWS_ENDPOINT_URL"]
    assert httpx.get(endpoint, timeout=5).status_code == 200
    assert cli("local", "env", env=env).returncode == 0
    down = cli("local", "down", env=env)
    assert down.returncode == 0
    assert "stopped the local stack" in down.stderr
    with pytest.raises(httpx.ConnectError):  # the server is gone, not only forgotten
        httpx.get(endpoint, timeout=5)
    after = cli("local", "env", env=env)
    assert after.returncode == 1
    assert "spotify-etl local up" in after.stderr

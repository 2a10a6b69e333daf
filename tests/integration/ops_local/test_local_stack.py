"""`spotify-etl local up|down|status|purge` as users run them: S3 on SeaweedFS over the lake in
the state directory, the rest on moto; the lake and the grants outlive a stop and a kill -9."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest
from spotify_etl_common.keys import recently_played_key

from tests.integration.ops_local.conftest import kill_group

pytestmark = pytest.mark.integration
TOKEN = "refresh-token-of-ana"
USER_SECRET = "spotify-etl/users/ana"


def cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "spotify_etl", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def recorded_pids(state: Path) -> list[int]:
    path = state / "local.json"
    if not path.exists():
        return []
    stack = json.loads(path.read_text())
    return [stack["pid"], stack.get("s3_pid", 0)]


@pytest.fixture
def env(tmp_path: Path) -> Iterator[dict[str, str]]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "SPOTIFY_ETL"))}
    clean["SPOTIFY_ETL_STATE_DIR"] = str(tmp_path / "state")
    yield clean
    for pid in recorded_pids(tmp_path / "state"):  # fast: the servers are ours, the test is over
        if pid:
            kill_group(pid)


def parse_exports(stdout: str) -> dict[str, str]:
    pairs = [line.removeprefix("export ").split("=", 1) for line in stdout.splitlines()]
    return dict(pairs)  # type: ignore[arg-type]


def client(service: Any, endpoint: str) -> Any:
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def up(env: dict[str, str]) -> tuple[dict[str, str], str]:
    done = cli("local", "up", env=env)
    assert done.returncode == 0, done.stderr
    return parse_exports(done.stdout), done.stderr


def queued(exports: dict[str, str], queue: str) -> list[dict[str, Any]]:
    sqs = client("sqs", exports["AWS_ENDPOINT_URL"])
    url = sqs.get_queue_url(QueueName=queue)["QueueUrl"]
    got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0)
    return [json.loads(m["Body"]) for m in got.get("Messages", [])]


def test_local_up_twice_leaves_one_bucket_four_queues_and_reopens_once(
    env: dict[str, str],
) -> None:
    state = Path(env["SPOTIFY_ETL_STATE_DIR"])
    state.mkdir()
    old = subprocess.Popen(  # the moto of a stack recorded before the lake: stopped by up
        [sys.executable, "-c", "import time; time.sleep(120)", "moto.server"],
        start_new_session=True,
    )
    (state / "local.json").write_text(
        json.dumps(
            {
                "pid": old.pid,
                "endpoint": "http://127.0.0.1:1",
                "names": {
                    "bucket": "spotify-etl-local",
                    "transform_queue": "spotify-etl-transform",
                    "catalog_queue": "spotify-etl-catalog",
                },
                "log_file": "moto.log",
            }
        )
    )
    exports, first = up(env)
    assert old.wait(timeout=10) != 0  # stopped, not left running beside the new stack
    again, second = up(env)
    assert again == exports
    assert "lake reopened" in first
    assert "lake reopened" not in second  # a running stack: nothing announced twice
    s3 = client("s3", exports["AWS_ENDPOINT_URL_S3"])
    assert exports["AWS_ENDPOINT_URL_S3"] != exports["AWS_ENDPOINT_URL"]
    assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == [exports["SPOTIFY_ETL_BUCKET"]]
    sqs = client("sqs", exports["AWS_ENDPOINT_URL"])
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


def test_down_stops_both_servers_and_up_brings_back_the_lake_and_the_grants(
    env: dict[str, str],
) -> None:
    state = Path(env["SPOTIFY_ETL_STATE_DIR"])
    exports, _ = up(env)
    bucket = exports["SPOTIFY_ETL_BUCKET"]
    client("s3", exports["AWS_ENDPOINT_URL_S3"]).put_object(
        Bucket=bucket, Key="state/extractor/cursor.json", Body=b'{"after": 1}'
    )
    secrets = client("secretsmanager", exports["AWS_ENDPOINT_URL"])
    secrets.create_secret(Name=USER_SECRET, SecretString=TOKEN)
    grants = state / "grants.json"
    assert TOKEN in grants.read_text()  # kept as soon as it was stored
    assert stat.S_IMODE(grants.stat().st_mode) == 0o600
    assert stat.S_IMODE(state.stat().st_mode) == 0o700

    down = cli("local", "down", env=env)
    assert down.returncode == 0, down.stderr
    assert "the lake stays in" in down.stderr
    assert TOKEN not in down.stderr + down.stdout
    for endpoint in (exports["AWS_ENDPOINT_URL"], exports["AWS_ENDPOINT_URL_S3"]):
        with pytest.raises(httpx.ConnectError):  # the servers are gone, not only forgotten
            httpx.get(endpoint, timeout=5)
    assert cli("local", "env", env=env).returncode == 1

    exports, _ = up(env)
    s3 = client("s3", exports["AWS_ENDPOINT_URL_S3"])
    cursor = s3.get_object(Bucket=bucket, Key="state/extractor/cursor.json")["Body"].read()
    assert cursor == b'{"after": 1}'
    secrets = client("secretsmanager", exports["AWS_ENDPOINT_URL"])
    assert secrets.get_secret_value(SecretId=USER_SECRET)["SecretString"] == TOKEN
    assert TOKEN not in (state / "logs" / "moto.log").read_text()


def test_after_a_kill_9_up_keeps_the_lake_and_announces_lost_work_once_then_purge(
    env: dict[str, str],
) -> None:
    state = Path(env["SPOTIFY_ETL_STATE_DIR"])
    exports, _ = up(env)
    raw = recently_played_key(1_790_000_000_000)
    client("s3", exports["AWS_ENDPOINT_URL_S3"]).put_object(
        Bucket=exports["SPOTIFY_ETL_BUCKET"], Key=raw, Body=b'{"items": []}'
    )
    client("secretsmanager", exports["AWS_ENDPOINT_URL"]).create_secret(
        Name=USER_SECRET, SecretString=TOKEN
    )
    for pid in recorded_pids(state):
        kill_group(pid)

    exports, _ = up(env)
    s3 = client("s3", exports["AWS_ENDPOINT_URL_S3"])
    assert s3.get_object(Bucket=exports["SPOTIFY_ETL_BUCKET"], Key=raw)["Body"].read()
    secrets = client("secretsmanager", exports["AWS_ENDPOINT_URL"])
    assert secrets.get_secret_value(SecretId=USER_SECRET)["SecretString"] == TOKEN
    up(env)
    assert [m["key"] for m in queued(exports, "spotify-etl-transform")] == [raw]

    status = cli("local", "status", env=env)
    assert f"lake: {state / 'lake'} (" in status.stdout
    assert "1 secret kept" in status.stdout
    assert "stack: running" in status.stdout
    for pid in recorded_pids(state):
        kill_group(pid)
    refused = cli("local", "purge", env=env)  # not a terminal, no --yes: nothing deleted
    assert refused.returncode == 2
    assert "--yes" in refused.stderr
    assert (state / "lake").exists()
    purged = cli("local", "purge", "--yes", env=env)
    assert purged.returncode == 0, purged.stderr
    assert not (state / "lake").exists()
    assert (state / "grants.json").exists()
    assert "0 B on disk" in cli("local", "status", env=env).stdout

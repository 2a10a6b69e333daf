"""A real SeaweedFS (the local stack's S3) for the tests of one module: it takes seconds to
start, so each module starts one and kills it at the end."""

from __future__ import annotations

import contextlib
import os
import signal
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from spotify_etl.local.seaweed import start_weed

KEY, SECRET = "testing", "testing"


@dataclass(frozen=True)
class Weed:
    """A running ``weed server``: its S3 endpoint and data directory."""

    endpoint: str
    data: Path
    pid: int

    def client(self) -> Any:
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name="us-east-1",
            aws_access_key_id=KEY,
            aws_secret_access_key=SECRET,
        )


def kill_group(pid: int) -> None:
    """SIGKILL a detached server's process group and reap it if it is our child."""
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        return
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)


@pytest.fixture(scope="module")
def weed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Weed]:
    data = tmp_path_factory.mktemp("weed")
    pid, endpoint = start_weed(data / "lake", data / "weed.log", KEY, SECRET)
    yield Weed(endpoint, data / "lake", pid)
    kill_group(pid)

"""`local up` waits for the local S3 and says clearly when it does not come up."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from spotify_etl.local.seaweed import WeedNotReady, wait_until_ready

pytestmark = pytest.mark.integration


def test_a_server_that_exits_at_start_is_named_with_its_log(tmp_path: Path) -> None:
    process = subprocess.Popen(["false"])
    process.wait()
    with pytest.raises(WeedNotReady, match=r"exited with code 1 at start; see .*weed.log"):
        wait_until_ready(process, lambda: False, "http://127.0.0.1:1", tmp_path / "weed.log")


def test_a_server_that_never_answers_is_stopped_and_the_error_says_what_to_do(
    tmp_path: Path,
) -> None:
    process = subprocess.Popen(["sleep", "60"])
    with pytest.raises(WeedNotReady) as raised:
        wait_until_ready(
            process, lambda: False, "http://127.0.0.1:1", tmp_path / "weed.log", timeout=0
        )
    assert "did not answer ListBuckets on http://127.0.0.1:1" in str(raised.value)
    assert "run `spotify-etl local up` again" in str(raised.value)
    assert process.wait(timeout=10) != 0  # terminated, not left behind

"""Stopping the detached servers that ``local up`` and the load test start."""

from __future__ import annotations

import os
import time

import pytest
from spotify_etl.local.server import runs, stop_process, stop_processes

pytestmark = pytest.mark.integration


def test_stopping_our_own_child_reaps_it_and_leaves_no_zombie() -> None:
    pid = os.posix_spawnp("sleep", ["sleep", "60"], os.environ, setsid=True)
    assert stop_process(pid, timeout=30)
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # already reaped by stop_process


def test_stopping_a_process_that_is_gone_says_so() -> None:
    pid = os.posix_spawnp("true", ["true"], os.environ, setsid=True)
    os.waitpid(pid, 0)
    assert not stop_process(pid)


def test_a_recorded_pid_counts_as_ours_only_while_it_runs_our_program() -> None:
    """A pid in local.json may belong to another program after a reboot: never stop that."""
    pid = os.posix_spawnp("sleep", ["sleep", "60"], os.environ, setsid=True)
    try:
        deadline = time.monotonic() + 10
        while not runs(pid, "sleep") and time.monotonic() < deadline:
            time.sleep(0.01)  # until the child has exec'd sleep
        assert runs(pid, "sleep")
        assert not runs(pid, "weed")
    finally:
        assert stop_processes([pid], timeout=30) == [pid]
    assert not runs(pid, "sleep")

"""Stopping the detached servers that ``local up`` and the load test start."""

from __future__ import annotations

import os

import pytest
from spotify_etl.local.server import stop_process

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

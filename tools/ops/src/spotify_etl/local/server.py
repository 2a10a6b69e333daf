"""Start and stop the local stack's detached servers on loopback (moto here, SeaweedFS in
:mod:`spotify_etl.local.seaweed`)."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterable
from pathlib import Path

READY_TIMEOUT = 30.0
READY_PATH = "/_local/ready"
"""Answers 200 once the stack's moto has its kept secrets back (503 or moto's 404 before):
what ``local up`` waits for (:mod:`spotify_etl.local.moto_host` serves it)."""


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_moto(port: int, log_file: Path, grants: Path | None = None) -> int:
    """Start moto detached from this process, keeping the secrets in ``grants`` (if given);
    returns its pid once it answers (the kept secrets restored)."""
    log_file.parent.mkdir(parents=True, exist_ok=True)
    argv = [sys.executable, "-m", "spotify_etl.local.moto_host", "--port", str(port)]
    if grants is not None:
        argv += ["--grants", str(grants)]
    with log_file.open("ab") as log:
        process = subprocess.Popen(  # noqa: S603 - fixed argv, our own interpreter
            argv,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    endpoint = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"moto server exited with code {process.returncode} at start; see {log_file}"
            )
        if is_ready(endpoint):
            return process.pid
        time.sleep(0.1)
    process.terminate()
    raise RuntimeError(f"moto server did not answer on {endpoint} within {READY_TIMEOUT}s")


def is_ready(endpoint: str) -> bool:
    """Whether the local stack's moto answers on ``endpoint``, its kept secrets restored."""
    try:
        with urllib.request.urlopen(f"{endpoint}{READY_PATH}", timeout=1) as response:  # noqa: S310
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def stop_process(pid: int, timeout: float = 10.0) -> bool:
    """SIGTERM the process group of ``pid``, SIGKILL after ``timeout``; True if it was running."""
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return False
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _exited(pid):
            return True
        time.sleep(0.1)
    os.killpg(pid, signal.SIGKILL)
    return True


def runs(pid: int, marker: str) -> bool:
    """Whether ``pid`` is alive and its command line contains ``marker`` (a recorded pid may
    have been reused by another program since); without /proc, whether it is alive."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except FileNotFoundError:
        return False
    except OSError:
        return _alive(pid)
    return marker.encode() in cmdline


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def stop_processes(pids: Iterable[int], timeout: float) -> list[int]:
    """SIGTERM the process groups of ``pids`` at once, SIGKILL those left after ``timeout``;
    the pids that were running."""
    running = []
    for pid in pids:
        try:
            os.killpg(pid, signal.SIGTERM)
        except ProcessLookupError:
            continue
        running.append(pid)
    deadline = time.monotonic() + timeout
    left = list(running)
    while left and time.monotonic() < deadline:
        left = [pid for pid in left if not _exited(pid)]
        if left:
            time.sleep(0.1)
    for pid in left:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)
    return running


def _exited(pid: int) -> bool:
    """Whether ``pid`` is gone; reaps it when it is our own child (else it stays a zombie)."""
    try:
        reaped, _ = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        reaped = 0  # started by another process (``local up`` then ``local down``)
    if reaped:
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    if not _zombie(pid):
        return False
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # ours after all: it exited since we asked
    return True


def _zombie(pid: int) -> bool:
    """Whether ``pid`` has exited and waits for a parent other than us to reap it."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[:1] == ["Z"]

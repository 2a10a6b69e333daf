""".dockerignore keeps the build context small without dropping what the images copy."""

from __future__ import annotations

import fnmatch
from pathlib import PurePosixPath

import pytest

from tests.deploy.cfn_template import REPO


def _excluded(path: str) -> bool:
    """Docker's rule, simplified: the last matching pattern wins; a match on a parent counts."""
    excluded = False
    patterns = [
        line.strip()
        for line in (REPO / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    candidates = [str(p) for p in reversed(PurePosixPath(path).parents) if str(p) != "."]
    candidates.append(path)
    for pattern in patterns:
        negate = pattern.startswith("!")
        body = pattern.removeprefix("!")
        for candidate in candidates:
            if (
                fnmatch.fnmatch(candidate, body)
                or (body.startswith("**/") and fnmatch.fnmatch(candidate, body[3:]))
                or (body.startswith("**/") and fnmatch.fnmatch(candidate, "*/" + body[3:]))
            ):
                excluded = not negate
    return excluded


@pytest.mark.parametrize(
    "path",
    [
        "pyproject.toml",
        "uv.lock",
        "libs/common/pyproject.toml",
        "libs/common/src/spotify_etl_common/settings.py",
        "services/transformer/src/transformer/main.py",
        "tools/fake_spotify/src/fake_spotify/server.py",
        "tools/ops/pyproject.toml",
    ],
)
def test_what_the_images_copy_stays_in_the_context(path: str) -> None:
    assert not _excluded(path)


@pytest.mark.parametrize(
    "path",
    [
        ".venv/bin/python",
        ".git/HEAD",
        "services/extractor/src/extractor/__pycache__/main.cpython-311.pyc",
        "tests/conftest.py",
        ".env",
        ".mypy_cache/3.11/x.json",
    ],
)
def test_local_state_and_secrets_stay_out_of_the_context(path: str) -> None:
    assert _excluded(path)

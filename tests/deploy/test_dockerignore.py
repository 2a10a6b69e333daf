""".dockerignore is an allow-list: what the images copy goes in, nothing else does."""

from __future__ import annotations

import fnmatch
import subprocess
from pathlib import PurePosixPath

import pytest

from tests.deploy.cfn_template import REPO
from tests.deploy.dockerfile_model import DOCKERFILES, instructions


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


def _copied_sources() -> set[str]:
    """Every path a Dockerfile COPYs from the build context (not from another stage)."""
    sources = set()
    for dockerfile in DOCKERFILES:
        for instruction in instructions(dockerfile):
            words = instruction.arguments.split()
            if instruction.keyword != "COPY" or any(w.startswith("--from") for w in words):
                continue
            sources |= {w.rstrip("/") for w in words[:-1] if not w.startswith("--")}
    return sources


def test_everything_the_dockerfiles_copy_stays_in_the_context() -> None:
    sources = _copied_sources()
    assert {"uv.lock", "libs/lake/src", "services/cataloger/src"} <= sources
    for source in sorted(sources):
        path = REPO / source
        assert path.exists(), source
        inside = next((p for p in sorted(path.rglob("*.py"))), path) if path.is_dir() else path
        assert not _excluded(str(inside.relative_to(REPO))), source


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
        ".env.production",
        "services/extractor/.env",
        "spotify.json",
        "deploy/template.yaml",
        "bench/out/lake/report.json",
        "docs/architecture.md",
        "services/extractor/README.md",
        "libs/common/tests/test_x.py",
        "a-file-nobody-listed.txt",
        ".mypy_cache/3.11/x.json",
        ".cache/uv-tool/bin/uv",
    ],
)
def test_local_state_and_secrets_stay_out_of_the_context(path: str) -> None:
    assert _excluded(path)


@pytest.mark.parametrize(
    "path",
    [".env", ".env.local", "services/extractor/.env.prod", "spotify.json", "deploy/spotify.json"],
)
def test_git_ignores_environment_files_and_the_runbooks_credentials_file(path: str) -> None:
    """The runbook writes the app credentials to spotify.json before put-secret-value."""
    result = subprocess.run(
        ["git", "-C", str(REPO), "check-ignore", "--no-index", "--quiet", path],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 0, f"{path} is not ignored by .gitignore"

"""The repository stands alone: no file links to, or names, a path outside it.

Markdown links (``[text](target)``) must resolve inside the repository and
exist; any other mention of a relative path that climbs out of it is refused,
in every text file but the tests' Python: out of the file's own folder, or out of the root (where
commands run, ``../shared/DESIGN.md``) unless it names a file of the repository
from the file's folder (``../../docs/architecture.md`` in a service's README).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SKIPPED_DIRS = frozenset(
    {
        ".git",
        ".venv",
        "node_modules",
        "__pycache__",
        ".mypy_cache",
        ".ruff_cache",
        ".pytest_cache",
        "out",
    }
)
SKIPPED_FILES = frozenset({"uv.lock"})
TEXT_SUFFIXES = frozenset(
    {".md", ".py", ".toml", ".yaml", ".yml", ".sh", ".sql", ".txt", ".cfg", ".ini", ".json"}
)
TEXT_NAMES = frozenset({"Makefile", "Dockerfile", "run", ".dockerignore", ".gitignore"})
MARKDOWN_LINK = re.compile(r"\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
CLIMBING_PATH = re.compile(r"(?<![\w/.])((?:\.\./)+[\w.\-/]*)")
"""A relative path that starts by climbing (``../x``), not inside another path (``a/../b``)."""


def _text_files() -> list[Path]:
    found = []
    for folder, dirs, files in os.walk(ROOT):
        dirs[:] = [d for d in dirs if d not in SKIPPED_DIRS]
        for name in files:
            path = Path(folder, name)
            if name in SKIPPED_FILES:
                continue
            if path.suffix in TEXT_SUFFIXES or name in TEXT_NAMES:
                found.append(path)
    return sorted(found)


def _inside(target: Path) -> bool:
    return target.resolve().is_relative_to(ROOT)


def outside_links(path: Path, text: str) -> list[str]:
    """Every link or path mention of ``text`` (the file at ``path``) that leaves the repository,
    and every markdown link to a file that does not exist."""
    problems = []
    if path.suffix == ".md":
        for target in MARKDOWN_LINK.findall(text):
            if re.match(r"[a-z][a-z0-9+.-]*:", target) or target.startswith("#"):
                continue  # https:, mailto:, an anchor of the same page
            local = target.split("#", 1)[0]
            resolved = ROOT / local.lstrip("/") if local.startswith("/") else path.parent / local
            if not _inside(resolved):
                problems.append(f"links to {target}, outside the repository")
            elif not resolved.exists():
                problems.append(f"links to {target}, which does not exist")
    if path.suffix == ".py" and path.is_relative_to(ROOT / "tests"):
        return problems  # tests hold climbing paths on purpose (keys that must not escape)
    for mention in CLIMBING_PATH.findall(text):
        beside = path.parent / mention
        if not _inside(beside) or (not _inside(ROOT / mention) and not beside.exists()):
            # out of the file's folder, or out of the root (where commands run) and no
            # file of the repository either
            problems.append(f"names {mention}, outside the repository")
    return problems


def test_no_file_links_to_or_names_a_path_outside_the_repository() -> None:
    found = {}
    for path in _text_files():
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        problems = outside_links(path, text)
        if problems:
            found[str(path.relative_to(ROOT))] = problems
    assert found == {}


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("README.md", "Design notes: `../shared/DESIGN.md` (flow)."),
        ("README.md", "See [the design](../shared/DESIGN.md)."),
        ("docs/architecture.md", "[up](../../elsewhere.md)"),
        ("services/x/README.md", "[gone](../../docs/missing.md)"),
        (".ci/run", "# a fresh clone with ../shared beside it"),
    ],
)
def test_a_link_or_mention_outside_the_repository_is_found(name: str, text: str) -> None:
    assert outside_links(ROOT / name, text)


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("services/extractor/README.md", "[docs](../../docs/architecture.md)"),
        ("README.md", "[ops](tools/ops/OPERATIONS.md#importing-your-streaming-history)"),
        ("README.md", "[web](https://developer.spotify.com/) and [here](#layout)"),
        ("libs/x.py", 'KEY = "raw/source=albums/../../escape.json"'),
        ("tests/unit/x.py", 'KEY = "../../../etc/passwd"'),
    ],
)
def test_links_inside_the_repository_pass(name: str, text: str) -> None:
    assert outside_links(ROOT / name, text) == []

"""The service Dockerfiles as data: instructions per stage, and each image's package."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.deploy.cfn_template import REPO

IMAGES = {
    "services/extractor": ("extractor", ["run-once"]),
    "services/transformer": ("transformer", ["serve"]),
    "services/cataloger": ("cataloger", ["serve"]),
    "tools/fake_spotify": ("fake-spotify", ["serve", "--host", "0.0.0.0", "--port", "8080"]),
}
"""Folder of each image: entry point and default command."""

RUNTIME_BASE = "python:3.11-slim"
"""The runtime image's tag (pinned by digest: ``python:3.11-slim@sha256:...``)."""

PINNED_IMAGE = re.compile(r"^[a-z0-9./_-]+:[A-Za-z0-9._-]+@sha256:[0-9a-f]{64}$")
"""An image reference fixed by digest, its tag kept for people (``name:tag@sha256:<64 hex>``)."""

DOCKERFILES = tuple(REPO / folder / "Dockerfile" for folder in sorted(IMAGES))


@dataclass(frozen=True)
class Instruction:
    keyword: str
    arguments: str


def instructions(dockerfile: Path) -> Iterator[Instruction]:
    """Instructions with continuation lines joined and comments dropped."""
    logical = ""
    for line in dockerfile.read_text().splitlines():
        if line.lstrip().startswith("#") or not line.strip():
            continue
        logical += line.rstrip()
        if logical.endswith("\\"):
            logical = logical[:-1] + " "
            continue
        keyword, _, arguments = logical.strip().partition(" ")
        yield Instruction(keyword.upper(), " ".join(arguments.split()))
        logical = ""


def stages(dockerfile: Path) -> list[list[Instruction]]:
    """The instructions of each build stage, in order (ARGs before the first FROM dropped)."""
    result: list[list[Instruction]] = []
    for instruction in instructions(dockerfile):
        if instruction.keyword == "FROM":
            result.append([])
        if result:
            result[-1].append(instruction)
    return result


def project(folder: str) -> dict[str, Any]:
    with (REPO / folder / "pyproject.toml").open("rb") as handle:
        loaded: dict[str, Any] = tomllib.load(handle)["project"]
    return loaded


def build_args(dockerfile: Path) -> dict[str, str]:
    args = {}
    for instruction in instructions(dockerfile):
        if instruction.keyword == "FROM":
            break
        if instruction.keyword == "ARG" and "=" in instruction.arguments:
            name, value = instruction.arguments.split("=", 1)
            args[name] = value
    return args


def workspace_members() -> list[str]:
    """The uv workspace's member folders (the root pyproject's ``[tool.uv.workspace]``)."""
    with (REPO / "pyproject.toml").open("rb") as handle:
        members: list[str] = tomllib.load(handle)["tool"]["uv"]["workspace"]["members"]
    return members


def base_images(dockerfile: Path) -> list[str]:
    """The image of each FROM, build args substituted; earlier stage names are left out."""
    args = build_args(dockerfile)
    stage_names: set[str] = set()
    images = []
    for instruction in instructions(dockerfile):
        if instruction.keyword != "FROM":
            continue
        words = [w for w in instruction.arguments.split() if not w.startswith("--")]
        image = words[0]
        for name, value in args.items():
            image = image.replace(f"${{{name}}}", value)
        if image not in stage_names:
            images.append(image)
        if len(words) == 3 and words[1].upper() == "AS":
            stage_names.add(words[2])
    return images


def syntax_directive(dockerfile: Path) -> str | None:
    """The frontend image of the ``# syntax=`` parser directive on the first line, if any."""
    first = dockerfile.read_text().splitlines()[0]
    return first.removeprefix("# syntax=") if first.startswith("# syntax=") else None

"""The service Dockerfiles as data: instructions per stage, and each image's package."""

from __future__ import annotations

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

"""The Athena views, kept as ``.sql`` files beside this module (package data).

Each file ``views/<name>.sql`` holds one ``SELECT`` in Athena (Trino) SQL; its
first line is a ``-- `` comment: the one-line description. The cataloger
publishes them with ``CREATE OR REPLACE VIEW``; ``spotify-etl query`` runs the
same files on DuckDB after transpiling them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib.resources import files

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class View:
    """One view: name, one-line description, and its ``SELECT`` (no trailing semicolon)."""

    name: str
    description: str
    select: str


def parse_view(name: str, text: str) -> View:
    """A view from its file name and text; ``ValueError`` naming what is wrong."""
    if not _NAME.match(name):
        raise ValueError(f"view file {name}.sql: name must be lowercase letters, digits and _")
    lines = text.strip().splitlines()
    if not lines or not lines[0].startswith("--"):
        raise ValueError(f"view file {name}.sql must start with a '-- description' line")
    description = lines[0].removeprefix("--").strip()
    body = "\n".join(line for line in lines[1:] if not line.startswith("--")).strip()
    body = body.rstrip(";").strip()
    if not body.lower().startswith(("select", "with")):
        raise ValueError(f"view file {name}.sql must hold one SELECT (or WITH ... SELECT)")
    return View(name, description, body)


def load_views() -> list[View]:
    """Every packaged view, by name."""
    folder = files("cataloger") / "views"
    found = [
        parse_view(entry.name.removesuffix(".sql"), entry.read_text(encoding="utf-8"))
        for entry in folder.iterdir()
        if entry.name.endswith(".sql")
    ]
    return sorted(found, key=lambda v: v.name)


def create_view_sql(view: View) -> str:
    """``CREATE OR REPLACE VIEW <name> AS <select>`` (the database comes from the context)."""
    return f"CREATE OR REPLACE VIEW {view.name} AS\n{view.select}"

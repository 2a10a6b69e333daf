"""The Athena views of spotify-etl, kept as ``.sql`` files in this package (package data).

Each file ``sql/<name>.sql`` holds one ``SELECT`` in Athena (Trino) SQL; its
first line is a ``-- `` comment: the one-line description. The cataloger
publishes them with ``CREATE OR REPLACE VIEW``; ``spotify-etl query`` runs the
same files on DuckDB after transpiling them.

Views may select from other views (the ``latest_*``, ``current_playlist_items``
and ``distinct_plays`` base views hold the shared logic once), so both create
them in dependency order: :func:`dependency_order`, computed from the SQL.
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from importlib.resources import files

import sqlglot
from spotify_etl_common.tables import TABLES
from sqlglot import exp
from sqlglot.optimizer.scope import traverse_scope

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
    """Every packaged view, each after the views it selects from (ties by name)."""
    folder = files("spotify_etl_views") / "sql"
    found = [
        parse_view(entry.name.removesuffix(".sql"), entry.read_text(encoding="utf-8"))
        for entry in folder.iterdir()
        if entry.name.endswith(".sql")
    ]
    return dependency_order(found, TABLES)


def referenced_names(view: View) -> set[str]:
    """Names of the tables and views ``view`` selects from (its own CTEs excluded)."""
    try:
        tree = sqlglot.parse_one(view.select, read="trino")
    except sqlglot.errors.ParseError as error:
        raise ValueError(f"view {view.name}: cannot read its SQL as Trino: {error}") from error
    return {
        source.name
        for scope in traverse_scope(tree)
        for source in scope.sources.values()
        if isinstance(source, exp.Table)
    }


def dependency_order(views: Iterable[View], tables: Collection[str]) -> list[View]:
    """``views`` with each after every view it selects from; among the ready ones, by name.

    A name that is neither one of ``views`` nor one of ``tables``, or views that
    depend on each other in a cycle, raise ``ValueError`` naming them.
    """
    by_name = {view.name: view for view in views}
    depends_on: dict[str, set[str]] = {}
    for name, view in by_name.items():
        referenced = referenced_names(view)
        unknown = sorted(referenced - by_name.keys() - set(tables))
        if unknown:
            raise ValueError(
                f"view {name} selects from {', '.join(unknown)}: neither a view nor a table; "
                "fix the name or add sql/<name>.sql"
            )
        depends_on[name] = referenced & by_name.keys()
    waiting = {name: set(deps) for name, deps in depends_on.items()}
    ready = [name for name, deps in waiting.items() if not deps]
    heapq.heapify(ready)
    ordered: list[View] = []
    while ready:
        name = heapq.heappop(ready)
        ordered.append(by_name[name])
        for other, deps in waiting.items():
            if name in deps:
                deps.remove(name)
                if not deps:
                    heapq.heappush(ready, other)
    if len(ordered) < len(by_name):
        cycle = _a_cycle({n: d for n, d in waiting.items() if d})
        raise ValueError(
            f"views select from each other in a cycle: {' -> '.join(cycle)}; "
            "a view cannot depend on itself, directly or through other views"
        )
    return ordered


def _a_cycle(waiting: Mapping[str, set[str]]) -> list[str]:
    """One cycle among views that each still wait for another (so one always exists)."""
    path = [min(waiting)]
    while path.count(path[-1]) < 2:
        path.append(min(waiting[path[-1]]))
    start = path.index(path[-1])
    return path[start:]


def create_view_sql(view: View) -> str:
    """``CREATE OR REPLACE VIEW <name> AS <select>`` (the database comes from the context)."""
    return f"CREATE OR REPLACE VIEW {view.name} AS\n{view.select}"

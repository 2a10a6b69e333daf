"""A report query in another time zone: the views that name the zone, inlined with it (pure).

Views take no parameters, so a report view that needs local time reads it as
``... AT TIME ZONE 'UTC'`` (``report_plays.local_at``, ``library_growth``). A
view is stored with its definition, so a query cannot reach inside it; instead
the query carries, as common table expressions of the same names, every view
it reads that names the zone or reads (through other views) one that does,
each with ``'UTC'`` replaced by the report's zone. The names then resolve to
those CTEs, and every other view is read as stored. In UTC the result equals
the stored views' answers.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from spotify_etl_views import View, referenced_names

ZONE_IN_VIEWS = "UTC"
"""The zone the views are stored in; the report replaces it."""

_AT_ZONE = re.compile(r"AT\s+TIME\s+ZONE\s+'UTC'", re.IGNORECASE)


def names_zone(sql: str) -> bool:
    """Whether ``sql`` converts to the views' zone (``AT TIME ZONE 'UTC'``)."""
    return _AT_ZONE.search(sql) is not None


def in_zone(sql: str, zone: str) -> str:
    """``sql`` with every ``AT TIME ZONE 'UTC'`` converting to ``zone`` instead."""
    return _AT_ZONE.sub(f"AT TIME ZONE '{zone}'", sql)


def zone_dependent(views: Sequence[View]) -> set[str]:
    """Names of the views whose answer depends on the zone: those naming it, and every view
    reading one of those (``views`` in dependency order, as ``load_views`` returns them)."""
    dependent: set[str] = set()
    for view in views:
        if names_zone(view.select) or referenced_names(view) & dependent:
            dependent.add(view.name)
    return dependent


def zoned_query(select: str, views: Sequence[View], zone: str) -> str:
    """``select`` (one Athena ``SELECT`` without a ``WITH``, over the views) run in ``zone``.

    ``views`` must be in dependency order (``load_views``). The views it reads
    that depend on the zone come first as CTEs, in that order, each in ``zone``.
    """
    if select.lstrip().lower().startswith("with"):
        raise ValueError("a report query must be a plain SELECT: its views become its WITH")
    dependent = zone_dependent(views)
    by_name = {view.name: view for view in views}
    needed: set[str] = set()
    waiting = set(referenced_names(View("query", "", select))) & dependent
    while waiting:
        name = waiting.pop()
        needed.add(name)
        waiting |= (referenced_names(by_name[name]) & dependent) - needed
    ctes = [f"{v.name} AS (\n{in_zone(v.select, zone)}\n)" for v in views if v.name in needed]
    body = in_zone(select, zone)
    return "WITH " + ",\n".join(ctes) + "\n" + body if ctes else body

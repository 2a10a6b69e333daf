"""``spotify-etl views``: the views with their one-line descriptions (no query engine loaded)."""

from __future__ import annotations

import argparse

from spotify_etl_views import load_views


def run_views_command(args: argparse.Namespace) -> int:
    views = sorted(load_views(), key=lambda v: v.name)
    width = max((len(v.name) for v in views), default=0)
    for view in views:
        print(f"{view.name:<{width}}  {view.description}")
    return 0

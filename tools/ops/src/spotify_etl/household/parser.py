"""Arguments of the household commands (light: the AWS code loads when one runs)."""

from __future__ import annotations

import argparse

from spotify_etl.lazy import lazy


def add_user_arguments(parser: argparse.ArgumentParser, what: str) -> None:
    """``--user NAME`` (resolved through the user's secret) or ``--user-id ID``."""
    who = parser.add_mutually_exclusive_group()
    who.add_argument(
        "--user",
        metavar="NAME",
        help=f"{what}: the household name (its secret ${{SPOTIFY_USER_SECRET_PREFIX}}NAME "
        "gives the Spotify user id)",
    )
    who.add_argument("--user-id", metavar="ID", help="the same, by Spotify user id")


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``purge-user``."""
    purge = commands.add_parser(
        "purge-user",
        help="delete a removed user's data: raw objects, curated rows, extractor state",
        description=(
            "Deletes everything the lake holds of one user: their raw objects (under "
            "raw/source=<s>/user=<uid>/ of every user-scoped source), the curated rows made "
            "from them, and their extractor state (state/extractor/users/<uid>/). Shared "
            "albums, artists, tracks, shows and episodes stay. A dry run unless --yes."
        ),
    )
    purge.add_argument("name", help="the user's household name (their secret gives the id)")
    purge.add_argument(
        "--user-id", metavar="ID", help="the Spotify user id (needed once the secret is gone)"
    )
    purge.add_argument("--yes", action="store_true", help="delete (without it: only list)")
    purge.set_defaults(run=lazy("spotify_etl.household.commands", "run_purge"))

"""Arguments of the household commands (light: the AWS code loads when one runs)."""

from __future__ import annotations

import argparse


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

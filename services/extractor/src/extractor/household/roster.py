"""Who a run extracts: the household names of ``EXTRACTOR_USERS``, or the one user of today.

Each name's grant is the Secrets Manager secret ``<SPOTIFY_USER_SECRET_PREFIX><name>``
(written by ``extractor auth --store --user NAME``). Without ``EXTRACTOR_USERS`` the
run has one user, whose grant is ``SPOTIFY_REFRESH_TOKEN_SECRET`` (or
``SPOTIFY_REFRESH_TOKEN``) and whose name is None. Pure.
"""

from __future__ import annotations

import re

NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
"""A household name: what a secret name and a command line take without quoting."""
DEFAULT_SECRET_PREFIX = "spotify-etl/users/"  # noqa: S105 - a name prefix, no secret


class RosterError(ValueError):
    """An ``EXTRACTOR_USERS`` value that is not a list of names."""


def parse_users(text: str) -> tuple[str, ...]:
    """``alice,bob``: the names, in order, once each; ``RosterError`` names a bad one."""
    names = [part.strip() for part in text.split(",") if part.strip()]
    wrong = [n for n in names if not NAME.fullmatch(n)]
    if wrong:
        raise RosterError(
            f"EXTRACTOR_USERS names {', '.join(map(repr, wrong))}: a name is 1-64 letters, "
            "digits, '_', '.' or '-' (starting with a letter or digit), comma-separated"
        )
    return tuple(dict.fromkeys(names))


def secret_id(prefix: str, name: str) -> str:
    """The secret holding ``name``'s grant."""
    return f"{prefix}{name}"


def label(name: str | None, user_id: str | None) -> str:
    """How lines name a user: ``alice (spotify id a1)``, ``alice``, or the id alone."""
    if name and user_id:
        return f"{name} (spotify id {user_id})"
    return name or user_id or "the user"

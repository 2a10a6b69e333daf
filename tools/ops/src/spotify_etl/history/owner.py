"""Whose export it is: the user an import lands under, and the export's own word on it (pure).

Older exports (``endsong_*.json``) carry the account's user name on every row
(``username``): the Spotify user id ``/me`` answers. An import for one user of
the household refuses an export whose rows name someone else (or several
people); rows without a user name (today's exports) say nothing either way.
"""

from __future__ import annotations

from collections.abc import Collection

USERNAME_FIELD = "username"


def contradiction(usernames: Collection[str], user_id: str, user: str) -> str | None:
    """Why an export whose rows name ``usernames`` is not ``user``'s (Spotify id ``user_id``),
    or None when nothing contradicts it."""
    others = sorted(set(usernames) - {user_id})
    if not others:
        return None
    named = ", ".join(others[:3]) + (f" and {len(others) - 3} more" if len(others) > 3 else "")
    return (
        f"the export's rows name the Spotify user {named}, not {user} ({user_id}): "
        "import it with --user for the user it belongs to"
    )


def several_users(names: Collection[str]) -> str:
    """The error when the user of an import must be named."""
    return (
        f"several users are configured ({', '.join(sorted(names))}): name whose export this "
        "is with --user NAME (or --user-id ID)"
    )

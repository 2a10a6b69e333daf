"""The user's authorisation: the refresh token, when it was given, where a rotated one is kept.

Spotify refresh tokens end six months after the user authorised the app
(refreshing does not extend them) and may be replaced on any refresh (PKCE: on
every one, the used token then stops working). A :class:`UserGrant` carries the
token and ``authorized_at``; a :class:`GrantKeeper` stores a rotated token
before it is used again. Everything here but the keepers is pure.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Protocol

from pydantic import AwareDatetime, BaseModel, ValidationError
from spotify_etl_common.errors import PermanentError

AUTHORIZATION_LIFETIME = timedelta(days=180)
"""How long a user's authorisation lasts (Spotify, 2026): refresh tokens end then."""
WARN_DAYS = 14.0
"""Days left under which every run warns that the user must authorise again soon."""
AUTH_COMMAND = "extractor auth --store"


def auth_command(name: str | None) -> str:
    """What one user runs to authorise (again): ``extractor auth --store [--user NAME]``."""
    return AUTH_COMMAND if name is None else f"{AUTH_COMMAND} --user {name}"


@dataclass(frozen=True)
class UserGrant:
    """A refresh token (never logged) and when the user gave the authorisation."""

    refresh_token: str = field(repr=False)
    authorized_at: datetime | None = None
    user_id: str | None = None
    """Who ``/me`` said the user was when they authorised (household grants carry it)."""
    display_name: str | None = None

    def rotated(self, refresh_token: str) -> UserGrant:
        """The same authorisation with the new token Spotify returned."""
        return replace(self, refresh_token=refresh_token)

    def expires_at(self) -> datetime | None:
        return None if self.authorized_at is None else self.authorized_at + AUTHORIZATION_LIFETIME

    def days_left(self, now: datetime) -> float | None:
        """Days until the authorisation ends (negative once it has), None if unknown."""
        end = self.expires_at()
        return None if end is None else round((end - now).total_seconds() / 86400, 2)


class SecretValue(BaseModel):
    """The JSON value of a grant's secret (SPOTIFY_REFRESH_TOKEN_SECRET, or one user's under
    SPOTIFY_USER_SECRET_PREFIX): ``id`` and ``display_name`` are what ``/me`` answered."""

    refresh_token: str
    authorized_at: AwareDatetime
    id: str | None = None
    display_name: str | None = None


def parse_secret(text: str, secret_id: str, command: str = AUTH_COMMAND) -> UserGrant:
    """The grant stored in the secret; a bad value is one clear error."""
    try:
        value = SecretValue.model_validate_json(text)
    except ValidationError as error:
        fields = ", ".join(str(e["loc"][0]) if e["loc"] else "value" for e in error.errors())
        raise PermanentError(
            f'secret {secret_id} is not JSON {{"refresh_token", "authorized_at"}} '
            f"(problem with: {fields}); run `{command}` to write it again"
        ) from error
    return UserGrant(value.refresh_token, value.authorized_at, value.id, value.display_name)


def secret_text(grant: UserGrant) -> str:
    """The secret's JSON value for ``grant`` (``authorized_at`` is required there)."""
    if grant.authorized_at is None:
        raise ValueError("a stored grant needs authorized_at")
    return SecretValue(
        refresh_token=grant.refresh_token,
        authorized_at=grant.authorized_at,
        id=grant.user_id,
        display_name=grant.display_name,
    ).model_dump_json(exclude_none=True)


def expiry_warning(grant: UserGrant, now: datetime, command: str = AUTH_COMMAND) -> str | None:
    """A line when fewer than :data:`WARN_DAYS` days are left, else None."""
    left = grant.days_left(now)
    end = grant.expires_at()
    if left is None or end is None or left >= WARN_DAYS:
        return None
    return (
        f"the Spotify authorisation ends {end:%Y-%m-%d %H:%M} UTC ({left:.1f} days left; "
        f"given {grant.authorized_at:%Y-%m-%d}): run `{command}` before then"
    )


def invalid_grant_line(grant: UserGrant | None, now: datetime, command: str = AUTH_COMMAND) -> str:
    """One line for ``invalid_grant``: expired or revoked, when it was given, what to run."""
    given = grant.authorized_at if grant else None
    end = grant.expires_at() if grant else None
    if given is None or end is None:
        when = "when it was given is unknown (SPOTIFY_REFRESH_TOKEN carries no date)"
    elif end <= now:
        when = f"it was given {given:%Y-%m-%d} and expired {end:%Y-%m-%d} (180 days)"
    else:
        when = f"it was given {given:%Y-%m-%d}, so it was revoked or replaced"
    return (
        f"Spotify refused the refresh token (400 invalid_grant): the user's authorisation "
        f"expired or was revoked; {when}; run `{command}` to authorise again"
    )


class GrantKeeper(Protocol):
    """Where a rotated refresh token goes."""

    description: str
    can_keep: bool
    """False when a rotated token can only live for this run (an environment variable)."""

    async def keep(self, grant: UserGrant) -> None: ...


class EnvironmentGrant:
    """``SPOTIFY_REFRESH_TOKEN``: a rotated token cannot be written back."""

    description = "SPOTIFY_REFRESH_TOKEN"
    can_keep = False

    async def keep(self, grant: UserGrant) -> None:
        """Nothing to write to (``can_keep`` is False, so it is not called)."""


ROTATION_LOST = (
    "Spotify returned a new refresh token but SPOTIFY_REFRESH_TOKEN cannot be updated: "
    "it is used for this run only and the next run may be refused; set "
    "SPOTIFY_REFRESH_TOKEN_SECRET and run `extractor auth --store`"
)
ENV_WARNING = (
    "SPOTIFY_REFRESH_TOKEN is set: a refresh token Spotify rotates cannot be kept and its "
    "expiry is unknown; prefer SPOTIFY_REFRESH_TOKEN_SECRET (run `extractor auth --store`)"
)

"""Token issuing and checking of the fake accounts service."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass

USER_SCOPES = (
    "playlist-read-private playlist-read-collaborative user-read-recently-played"
    " user-library-read user-top-read user-follow-read user-read-playback-position"
)


@dataclass(frozen=True)
class Credentials:
    """What the fake accepts."""

    client_id: str = "fake-client-id"
    client_secret: str = "fake-client-secret"  # noqa: S105 - a fake's published test secret
    refresh_token: str = "fake-refresh-token"  # noqa: S105
    """Refresh token of the fake user, granting every scope in ``USER_SCOPES``."""
    no_scope_refresh_token: str = "fake-refresh-token-no-scopes"  # noqa: S105
    """A refresh token of the same user granting no scope (to test missing-scope errors)."""
    auth_code: str = "fake-authorization-code"


@dataclass(frozen=True)
class Grant:
    """What an access token allows."""

    user: bool
    scopes: frozenset[str]
    expires_at: float
    owner: str | None = None
    """The user a user token was issued for (from their refresh token); None for app tokens."""


class TokenBook:
    """Issued tokens and their expiry (thread-safe)."""

    def __init__(self, lifetime: float, clock: Callable[[], float]) -> None:
        self.lifetime = lifetime
        self._clock = clock
        self._grants: dict[str, Grant] = {}
        self._counter = itertools.count(1)
        self._lock = threading.Lock()

    def issue(self, user: bool, scopes: str, owner: str | None = None) -> str:
        with self._lock:
            token = f"fake-{'user' if user else 'app'}-token-{next(self._counter)}"
            self._grants[token] = Grant(
                user, frozenset(scopes.split()), self._clock() + self.lifetime, owner
            )
        return token

    def check(self, token: str) -> Grant | None:
        """The grant of a live token, None if unknown or expired."""
        with self._lock:
            grant = self._grants.get(token)
        if grant is None or grant.expires_at <= self._clock():
            return None
        return grant

    def expire_all(self) -> None:
        """Make every issued token expire now (tests of renewal on 401)."""
        with self._lock:
            now = self._clock()
            self._grants = {
                t: Grant(g.user, g.scopes, now, g.owner) for t, g in self._grants.items()
            }


class RefreshTokens:
    """Which refresh tokens the fake accepts, with the 2026 rotation and expiry modes.

    ``rotate``: every refresh answers a new refresh token and the used one stops
    working (PKCE-style); the new one keeps the old one's scopes. ``expired``:
    every refresh token answers ``invalid_grant`` (the six months since the user
    authorised the app are over, or access was revoked).
    """

    def __init__(
        self,
        credentials: Credentials,
        *,
        rotate: bool = False,
        expired: bool = False,
        scoped: Mapping[str, str] | None = None,
        owner: str = "fake-user",
    ) -> None:
        self.rotate = rotate
        self.expired = expired
        self._scopes: dict[str, str] = {
            credentials.refresh_token: USER_SCOPES,
            credentials.no_scope_refresh_token: "",
            **(scoped or {}),
        }
        self._owners: dict[str, str] = dict.fromkeys(self._scopes, owner)
        """The user each refresh token belongs to."""
        self.revoked: set[str] = set()
        """Users who revoked the app's access: their refresh tokens answer invalid_grant."""
        self._counter = itertools.count(1)
        self._lock = threading.Lock()
        self.rotations = 0
        """New refresh tokens handed out (the extractor must keep each one)."""

    def add(self, token: str, owner: str, scopes: str = USER_SCOPES) -> None:
        """Accept ``token`` as ``owner``'s refresh token (another user of a household)."""
        with self._lock:
            self._scopes[token] = scopes
            self._owners[token] = owner

    def revoke(self, owner: str) -> None:
        """``owner`` removed the app from their account: their refresh tokens stop working."""
        with self._lock:
            self.revoked.add(owner)

    def token_of(self, owner: str) -> str | None:
        """A refresh token ``owner`` holds now (what a code exchange hands out)."""
        with self._lock:
            return next(
                (t for t, o in self._owners.items() if o == owner and self._scopes[t]), None
            )

    def use(self, token: str | None) -> tuple[str, str | None, str] | None:
        """(scopes, new refresh token or None, owner) for a valid ``token``, None if refused."""
        if self.expired or token is None:
            return None
        with self._lock:
            scopes = self._scopes.get(token)
            owner = self._owners.get(token, "")
            if scopes is None or owner in self.revoked:
                return None
            if not self.rotate:
                return scopes, None, owner
            del self._scopes[token]
            del self._owners[token]
            fresh = f"fake-rotated-refresh-token-{next(self._counter)}"
            self._scopes[fresh] = scopes
            self._owners[fresh] = owner
            self.rotations += 1
            return scopes, fresh, owner

"""Token issuing and checking of the fake accounts service."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
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


class TokenBook:
    """Issued tokens and their expiry (thread-safe)."""

    def __init__(self, lifetime: float, clock: Callable[[], float]) -> None:
        self.lifetime = lifetime
        self._clock = clock
        self._grants: dict[str, Grant] = {}
        self._counter = itertools.count(1)
        self._lock = threading.Lock()

    def issue(self, user: bool, scopes: str) -> str:
        with self._lock:
            token = f"fake-{'user' if user else 'app'}-token-{next(self._counter)}"
            self._grants[token] = Grant(
                user, frozenset(scopes.split()), self._clock() + self.lifetime
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
            self._grants = {t: Grant(g.user, g.scopes, now) for t, g in self._grants.items()}

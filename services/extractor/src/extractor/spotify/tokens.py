"""Access tokens: client credentials for catalog endpoints, a refresh token for user ones.

A token is taken when a request leaves (after its limiter slot), cached until
``min(60 s, lifetime / 5)`` before it expires, fetched by one request at a time
per kind (single flight) and renewed on a 401. A failed fetch is remembered for
the run: later requests fail at once instead of retrying the accounts service
again. A refresh that returns a new refresh token stores it (:class:`GrantKeeper`)
before it is used again.
"""

from __future__ import annotations

import asyncio
import base64
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

import httpx
from pydantic import BaseModel, ValidationError
from spotify_etl_common.errors import SpotifyEtlError

from extractor.spotify.errors import (
    AuthorizationExpired,
    CredentialsRejected,
    SpotifyUnavailable,
    oauth_error_code,
    shape_problems,
)
from extractor.spotify.grants import (
    AUTH_COMMAND,
    ROTATION_LOST,
    EnvironmentGrant,
    GrantKeeper,
    UserGrant,
    invalid_grant_line,
)

EXPIRY_MARGIN = 60.0
"""Most seconds before expiry at which a cached token is renewed."""
_ATTEMPTS = 4


def renewal_margin(lifetime: float) -> float:
    """Seconds before expiry to renew: 60 s, or a fifth of a shorter token's lifetime."""
    return min(EXPIRY_MARGIN, max(0.0, lifetime) / 5)


class TokenKind(StrEnum):
    """Which token a request needs."""

    APP = "app"
    """Client credentials: albums, artists, tracks, playlist metadata."""
    USER = "user"
    """From the refresh token: playlist items, recently played."""


class TokenAnswer(BaseModel):
    """The accounts service's token response (the fields used)."""

    access_token: str
    expires_in: float = 3600
    scope: str | None = None
    refresh_token: str | None = None
    """A new refresh token (rotation): it replaces the one just used."""


@dataclass(frozen=True)
class AppCredentials:
    """The app's identity and, optionally, a user's refresh token."""

    client_id: str
    client_secret: str
    refresh_token: str | None = None

    def basic_auth(self) -> str:
        raw = f"{self.client_id}:{self.client_secret}".encode()
        return "Basic " + base64.b64encode(raw).decode()


@dataclass
class _Cached:
    token: str
    renew_at: float


class TokenProvider:
    """Fetches and caches tokens from ``accounts_url``/api/token."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        accounts_url: str,
        credentials: AppCredentials,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        *,
        grant: UserGrant | None = None,
        keeper: GrantKeeper | None = None,
        on_unavailable: Callable[[SpotifyEtlError], None] | None = None,
        wall_clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        app: TokenProvider | None = None,
        auth_command: str = AUTH_COMMAND,
    ) -> None:
        self._http = http
        self._url = accounts_url.rstrip("/") + "/api/token"
        self._credentials = credentials
        self._clock = clock
        self._sleep = sleep
        self._wall_clock = wall_clock
        if grant is None and credentials.refresh_token is not None:
            grant = UserGrant(credentials.refresh_token)
        self.grant = grant
        """The user's authorisation (its refresh token changes when Spotify rotates it)."""
        self._keeper: GrantKeeper = keeper or EnvironmentGrant()
        self._app = app
        """Where app tokens come from when several users share the app's (household)."""
        self.auth_command = auth_command
        """What the user runs to authorise again (``extractor auth --store [--user NAME]``)."""
        self._on_unavailable = on_unavailable
        self._cache: dict[TokenKind, _Cached] = {}
        self._failed: dict[TokenKind, SpotifyEtlError] = {}
        self._locks = {kind: asyncio.Lock() for kind in TokenKind}
        self.problems: list[str] = []
        """Run-level failures to report once (a rotated token that could not be stored)."""
        self.warnings: list[str] = []
        """Run-level warnings (a rotated token that can live for this run only)."""

    @property
    def has_user(self) -> bool:
        """Whether a refresh token is configured."""
        return self.grant is not None

    @property
    def refusal(self) -> SpotifyEtlError | None:
        """The remembered failure of the user token, if its fetch failed in this run."""
        return self._failed.get(TokenKind.USER)

    async def token(self, kind: TokenKind) -> str:
        """A live access token of ``kind``, fetched only when the cached one is stale."""
        if kind is TokenKind.APP and self._app is not None:
            return await self._app.token(kind)
        async with self._locks[kind]:
            if kind in self._failed:
                raise self._failed[kind]
            cached = self._cache.get(kind)
            if cached and cached.renew_at > self._clock():
                return cached.token
            sent_at = self._clock()
            try:
                answer = await self._fetch(kind)
            except SpotifyEtlError as error:
                self._remember(kind, error)
                raise
            # the lifetime counts from when the request left: the server started it then
            renew_at = sent_at + answer.expires_in - renewal_margin(answer.expires_in)
            self._cache[kind] = _Cached(answer.access_token, renew_at)
            return answer.access_token

    def invalidate(self, kind: TokenKind, token: str) -> None:
        """Forget ``token`` (after a 401) unless it was already replaced."""
        if kind is TokenKind.APP and self._app is not None:
            self._app.invalidate(kind, token)
            return
        cached = self._cache.get(kind)
        if cached and cached.token == token:
            del self._cache[kind]

    def _remember(self, kind: TokenKind, error: SpotifyEtlError) -> None:
        """Later requests of this run fail at once with the same error."""
        if isinstance(error, AuthorizationExpired):
            self._failed[TokenKind.USER] = error  # app tokens still work
            return
        # the client credentials or the accounts service itself: nothing can work
        self._failed[TokenKind.USER] = error
        self._failed[TokenKind.APP] = error
        if self._on_unavailable is not None:
            self._on_unavailable(error)

    async def exchange_code(self, code: str, redirect_uri: str, verifier: str) -> httpx.Response:
        """Authorization-code grant with PKCE's ``code_verifier`` (``extractor auth``): the raw
        answer."""
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "code_verifier": verifier,
        }
        return await self._post(form)

    async def _fetch(self, kind: TokenKind) -> TokenAnswer:
        grant = self.grant
        if kind is TokenKind.USER:
            if grant is None:
                raise CredentialsRejected(
                    "this source needs a user token but neither SPOTIFY_REFRESH_TOKEN_SECRET "
                    "nor SPOTIFY_REFRESH_TOKEN is set: run `extractor auth --store` once"
                )
            form = {"grant_type": "refresh_token", "refresh_token": grant.refresh_token}
        else:
            form = {"grant_type": "client_credentials"}
        response = await self._post(form)
        if response.status_code in (400, 401, 403):
            if kind is TokenKind.USER and _error_code(response) == "invalid_grant":
                raise AuthorizationExpired(
                    invalid_grant_line(grant, self._wall_clock(), self.auth_command)
                )
            raise CredentialsRejected(_rejection(response))
        if response.status_code != 200:
            raise SpotifyUnavailable(f"token endpoint answered {response.status_code}")
        try:
            answer = TokenAnswer.model_validate_json(response.content)
        except ValidationError as error:  # its own text quotes the body: names and types only
            raise SpotifyUnavailable(
                f"token endpoint sent an unexpected body ({shape_problems(error)})"
            ) from None
        if kind is TokenKind.USER and grant is not None and answer.refresh_token:
            await self._keep(grant.rotated(answer.refresh_token))
        return answer

    async def _keep(self, grant: UserGrant) -> None:
        """Store a rotated refresh token before anything can use it (under the USER lock)."""
        self.grant = grant  # the old one no longer works: use the new one, stored or not
        if not self._keeper.can_keep:
            if ROTATION_LOST not in self.warnings:
                self.warnings.append(ROTATION_LOST)
            return
        try:
            await self._keeper.keep(grant)
        except SpotifyEtlError as error:
            self.problems.append(
                f"Spotify returned a new refresh token that could not be stored in "
                f"{self._keeper.description} ({error.reason}): the next run will be refused; "
                f"run `{self.auth_command}`"
            )

    async def _post(self, form: dict[str, str]) -> httpx.Response:
        headers = {"Authorization": self._credentials.basic_auth()}
        last = "no attempt"
        for attempt in range(_ATTEMPTS):
            try:
                response = await self._http.post(self._url, data=form, headers=headers)
            except httpx.TransportError as error:
                last = f"{type(error).__name__}: {error}"
            else:
                if response.status_code < 500:
                    return response
                last = f"HTTP {response.status_code}"
            await self._sleep(0.5 * 2**attempt)
        raise SpotifyUnavailable(f"token endpoint {self._url} unreachable after retries ({last})")


def _error_code(response: httpx.Response) -> str:
    """The OAuth ``error`` code of an answer, '' when absent or not a plain code."""
    try:
        body = response.json()
    except ValueError:
        return ""
    return oauth_error_code(body)


def _rejection(response: httpx.Response) -> str:
    code = _error_code(response)
    return (
        f"Spotify rejected SPOTIFY_CLIENT_ID/SPOTIFY_CLIENT_SECRET ({response.status_code} "
        f"{code or 'error'}): copy both from the app's page in the Spotify developer dashboard"
    )

"""Access tokens: client credentials for catalog endpoints, a refresh token for user ones.

Tokens are cached until shortly before they expire and renewed once on a 401.
"""

from __future__ import annotations

import asyncio
import base64
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum

import httpx
from pydantic import BaseModel, ValidationError

from extractor.spotify_errors import CredentialsRejected, SpotifyUnavailable

EXPIRY_MARGIN = 60.0
"""Seconds before expiry at which a cached token is renewed."""
_ATTEMPTS = 4


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
    expires_at: float


class TokenProvider:
    """Fetches and caches tokens from ``accounts_url``/api/token."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        accounts_url: str,
        credentials: AppCredentials,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._http = http
        self._url = accounts_url.rstrip("/") + "/api/token"
        self._credentials = credentials
        self._clock = clock
        self._sleep = sleep
        self._cache: dict[TokenKind, _Cached] = {}
        self._locks = {kind: asyncio.Lock() for kind in TokenKind}
        self.fetched = 0
        """Tokens fetched from the accounts service (for the run summary)."""

    @property
    def has_user(self) -> bool:
        """Whether a refresh token is configured."""
        return self._credentials.refresh_token is not None

    async def token(self, kind: TokenKind) -> str:
        """A live access token of ``kind``, fetched only when the cached one is stale."""
        async with self._locks[kind]:
            cached = self._cache.get(kind)
            if cached and cached.expires_at - EXPIRY_MARGIN > self._clock():
                return cached.token
            answer = await self._fetch(kind)
            self._cache[kind] = _Cached(answer.access_token, self._clock() + answer.expires_in)
            return answer.access_token

    def invalidate(self, kind: TokenKind, token: str) -> None:
        """Forget ``token`` (after a 401) unless it was already replaced."""
        cached = self._cache.get(kind)
        if cached and cached.token == token:
            del self._cache[kind]

    async def exchange_code(self, code: str, redirect_uri: str) -> httpx.Response:
        """Authorization-code grant (``extractor auth``): the raw answer."""
        form = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri}
        return await self._post(form)

    async def _fetch(self, kind: TokenKind) -> TokenAnswer:
        if kind is TokenKind.USER:
            if self._credentials.refresh_token is None:
                raise CredentialsRejected(
                    "this source needs a user token but SPOTIFY_REFRESH_TOKEN is not set: "
                    "run `extractor auth` once and store the printed refresh token"
                )
            form = {
                "grant_type": "refresh_token",
                "refresh_token": self._credentials.refresh_token,
            }
        else:
            form = {"grant_type": "client_credentials"}
        response = await self._post(form)
        if response.status_code in (400, 401, 403):
            raise CredentialsRejected(_rejection(kind, response))
        if response.status_code != 200:
            raise SpotifyUnavailable(f"token endpoint answered {response.status_code}")
        try:
            answer = TokenAnswer.model_validate_json(response.content)
        except ValidationError as error:
            raise SpotifyUnavailable(f"token endpoint sent an unexpected body: {error}") from error
        self.fetched += 1
        return answer

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


def _rejection(kind: TokenKind, response: httpx.Response) -> str:
    try:
        body = response.json()
        code = str(body.get("error", "")) if isinstance(body, dict) else ""
    except ValueError:
        code = ""
    if code == "invalid_grant" and kind is TokenKind.USER:
        return (
            f"Spotify rejected SPOTIFY_REFRESH_TOKEN ({response.status_code} invalid_grant): "
            "it was revoked or belongs to another app; run `extractor auth` again"
        )
    return (
        f"Spotify rejected SPOTIFY_CLIENT_ID/SPOTIFY_CLIENT_SECRET ({response.status_code} "
        f"{code or 'error'}): copy both from the app's page in the Spotify developer dashboard"
    )

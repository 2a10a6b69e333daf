"""``extractor auth``: the authorization-code flow with PKCE, once per person.

Opens a loopback listener on 127.0.0.1, prints the consent URL (with an S256
``code_challenge``), waits for Spotify to redirect back with a code and this
flow's ``state``, and exchanges the code with its ``code_verifier``. A callback
with another state (a stale tab, another program) is answered, reported and
ignored: the flow waits on for its own. Nothing of a token endpoint's answer is
ever quoted, only field names and types (it holds tokens).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
from pydantic import BaseModel, ValidationError

from extractor.explain import PLAYLIST_SCOPES, RECENT_SCOPES
from extractor.spotify.errors import CredentialsRejected, oauth_error_code, shape_problems
from extractor.spotify.tokens import AppCredentials, TokenProvider

_PAGE = (
    "HTTP/1.1 {status}\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n"
    "Content-Length: {length}\r\n\r\n{text}"
)
WRONG_STATE = (
    "ignored an answer on the callback that does not belong to this authorisation (wrong "
    "state): waiting on for the browser"
)


class CodeAnswer(BaseModel):
    refresh_token: str
    access_token: str = ""
    scope: str = ""


class MeAnswer(BaseModel):
    """``GET /me`` with the new token: who authorised (stored beside their grant)."""

    id: str
    display_name: str | None = None


@dataclass(frozen=True)
class Authorised:
    """What the flow obtained (tokens never shown unless asked)."""

    refresh_token: str = field(repr=False)
    access_token: str = field(default="", repr=False)


@dataclass(frozen=True)
class Callback:
    """What the redirect brought back."""

    code: str | None
    state: str | None
    error: str | None


@dataclass(frozen=True)
class Pkce:
    """A PKCE pair (RFC 7636): the verifier stays here, its S256 challenge goes in the URL."""

    verifier: str

    @classmethod
    def new(cls) -> Pkce:
        return cls(secrets.token_urlsafe(64))  # 86 characters of [A-Za-z0-9_-]

    @property
    def challenge(self) -> str:
        digest = hashlib.sha256(self.verifier.encode("ascii")).digest()
        return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


def scopes_for(playlists: bool, recently_played: bool) -> list[str]:
    """The scopes the configured sources need (playlist scopes when nothing is configured)."""
    scopes: list[str] = []
    if playlists or not recently_played:
        scopes.extend(PLAYLIST_SCOPES)
    if recently_played:
        scopes.extend(RECENT_SCOPES)
    return scopes


def authorize_url(
    accounts_url: str,
    client_id: str,
    redirect_uri: str,
    scopes: list[str],
    state: str,
    code_challenge: str,
) -> str:
    """The consent page to open in a browser."""
    query = urlencode(
        {
            "client_id": client_id,
            "response_type": "code",
            "redirect_uri": redirect_uri,
            "scope": " ".join(scopes),
            "state": state,
            "code_challenge_method": "S256",
            "code_challenge": code_challenge,
        }
    )
    return f"{accounts_url.rstrip('/')}/authorize?{query}"


def parse_callback(request_target: str) -> Callback:
    """Code, state and error from the redirect's request target."""
    query = parse_qs(urlsplit(request_target).query)

    def one(name: str) -> str | None:
        return query[name][0] if name in query else None

    return Callback(one("code"), one("state"), one("error"))


async def wait_for_callback(
    port: int,
    ready: Callable[[str], None],
    wait: float,
    state: str,
    show: Callable[[str], None] = lambda _: None,
) -> Callback:
    """Serve redirects on 127.0.0.1:``port`` until one carries ``state``; ``ready`` gets the
    bound redirect URI. Others are answered 400 and reported through ``show``."""
    loop = asyncio.get_running_loop()
    arrived: asyncio.Future[Callback] = loop.create_future()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        line = (await reader.readline()).decode(errors="replace").split()
        target = line[1] if len(line) >= 2 else "/"
        status = "200 OK"
        if urlsplit(target).path != "/callback":
            status, text = "404 Not Found", "not found"
        else:
            callback = parse_callback(target)
            given = (callback.state or "").encode()
            if not secrets.compare_digest(given, state.encode()):
                status, text = "400 Bad Request", "Not an answer to the waiting authorisation."
                show(WRONG_STATE)
            else:
                text = (
                    "Authorised: you can close this tab and return to the terminal."
                    if callback.code
                    else f"Spotify answered: {callback.error}"
                )
                if not arrived.done():
                    arrived.set_result(callback)
        page = _PAGE.format(status=status, length=len(text.encode()), text=text)
        writer.write(page.encode())
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", port)
    bound = server.sockets[0].getsockname()[1]
    async with server:
        ready(f"http://127.0.0.1:{bound}/callback")
        return await asyncio.wait_for(arrived, wait)


async def authorize(
    http: httpx.AsyncClient,
    accounts_url: str,
    credentials: AppCredentials,
    scopes: list[str],
    port: int,
    show: Callable[[str], None],
    wait: float = 300.0,
) -> Authorised:
    """Run the flow; returns the tokens it obtained. ``show`` prints instructions."""
    state = secrets.token_urlsafe(16)
    pkce = Pkce.new()
    redirect: list[str] = []

    def ready(redirect_uri: str) -> None:
        redirect.append(redirect_uri)
        show(
            f"Add {redirect_uri} as a redirect URI of the app in the Spotify developer dashboard, "
            "then open this URL in a browser and accept:"
        )
        show(
            authorize_url(
                accounts_url, credentials.client_id, redirect_uri, scopes, state, pkce.challenge
            )
        )

    callback = await wait_for_callback(port, ready, wait, state, show)
    if callback.error or not callback.code:
        raise CredentialsRejected(f"authorisation refused: {callback.error or 'no code'}")
    tokens = TokenProvider(http, accounts_url, credentials)
    response = await tokens.exchange_code(callback.code, redirect[0], pkce.verifier)
    if response.status_code != 200:
        code = _error_of(response)
        raise CredentialsRejected(
            f"code exchange answered {response.status_code}{f' {code}' if code else ''}; check "
            "SPOTIFY_CLIENT_ID/SPOTIFY_CLIENT_SECRET and the redirect URI, then start again"
        )
    try:
        answer = CodeAnswer.model_validate_json(response.content)
    except ValidationError as error:  # its own text quotes the body: names and types only
        raise CredentialsRejected(
            f"code exchange sent an unexpected body ({shape_problems(error)})"
        ) from None
    return Authorised(answer.refresh_token, answer.access_token)


async def who_authorised(
    http: httpx.AsyncClient, api_url: str, access_token: str
) -> MeAnswer | None:
    """``GET /me`` with the flow's access token: the user's Spotify id and display name, or
    None when Spotify did not say (the run learns the id from ``/me`` anyway)."""
    if not access_token:
        return None
    try:
        response = await http.get(
            f"{api_url.rstrip('/')}/me", headers={"Authorization": f"Bearer {access_token}"}
        )
    except httpx.TransportError:
        return None
    if response.status_code != 200:
        return None
    try:
        return MeAnswer.model_validate_json(response.content)
    except ValidationError:
        return None


def _error_of(response: httpx.Response) -> str:
    try:
        return oauth_error_code(response.json())
    except ValueError:
        return ""

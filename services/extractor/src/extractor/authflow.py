"""``extractor auth``: the authorization-code flow, once per person.

Opens a loopback listener on 127.0.0.1, prints the consent URL, waits for
Spotify to redirect back with a code, exchanges it and prints the refresh token
to store as the ``SPOTIFY_REFRESH_TOKEN`` secret.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
from pydantic import BaseModel, ValidationError

from extractor.explain import PLAYLIST_SCOPES, RECENT_SCOPES
from extractor.spotify_errors import CredentialsRejected
from extractor.tokens import AppCredentials, TokenProvider

_PAGE = (
    "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n"
    "Content-Length: {length}\r\n\r\n{text}"
)


class CodeAnswer(BaseModel):
    refresh_token: str
    scope: str = ""


@dataclass(frozen=True)
class Callback:
    """What the redirect brought back."""

    code: str | None
    state: str | None
    error: str | None


def scopes_for(playlists: bool, recently_played: bool) -> list[str]:
    """The scopes the configured sources need (playlist scopes when nothing is configured)."""
    scopes: list[str] = []
    if playlists or not recently_played:
        scopes.extend(PLAYLIST_SCOPES)
    if recently_played:
        scopes.extend(RECENT_SCOPES)
    return scopes


def authorize_url(
    accounts_url: str, client_id: str, redirect_uri: str, scopes: list[str], state: str
) -> str:
    """The consent page to open in a browser."""
    query = urlencode(
        {
            "client_id": client_id,
            "response_type": "code",
            "redirect_uri": redirect_uri,
            "scope": " ".join(scopes),
            "state": state,
        }
    )
    return f"{accounts_url.rstrip('/')}/authorize?{query}"


def parse_callback(request_target: str) -> Callback:
    """Code, state and error from the redirect's request target."""
    query = parse_qs(urlsplit(request_target).query)

    def one(name: str) -> str | None:
        return query[name][0] if name in query else None

    return Callback(one("code"), one("state"), one("error"))


async def wait_for_callback(port: int, ready: Callable[[str], None], wait: float) -> Callback:
    """Serve one redirect on 127.0.0.1:``port``; ``ready`` gets the bound redirect URI."""
    loop = asyncio.get_running_loop()
    arrived: asyncio.Future[Callback] = loop.create_future()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        line = (await reader.readline()).decode(errors="replace").split()
        target = line[1] if len(line) >= 2 else "/"
        if urlsplit(target).path != "/callback":
            text = "not found"
        else:
            callback = parse_callback(target)
            text = (
                "Authorised: you can close this tab and return to the terminal."
                if callback.code
                else f"Spotify answered: {callback.error}"
            )
            if not arrived.done():
                arrived.set_result(callback)
        writer.write(_PAGE.format(length=len(text.encode()), text=text).encode())
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
) -> str:
    """Run the flow; returns the refresh token. ``show`` prints instructions."""
    state = secrets.token_urlsafe(16)
    redirect: list[str] = []

    def ready(redirect_uri: str) -> None:
        redirect.append(redirect_uri)
        show(
            f"Add {redirect_uri} as a redirect URI of the app in the Spotify developer dashboard, "
            "then open this URL in a browser and accept:"
        )
        show(authorize_url(accounts_url, credentials.client_id, redirect_uri, scopes, state))

    callback = await wait_for_callback(port, ready, wait)
    if callback.error or not callback.code:
        raise CredentialsRejected(f"authorisation refused: {callback.error or 'no code'}")
    if callback.state != state:
        raise CredentialsRejected("authorisation answer had the wrong state; start again")
    tokens = TokenProvider(http, accounts_url, credentials)
    response = await tokens.exchange_code(callback.code, redirect[0])
    if response.status_code != 200:
        raise CredentialsRejected(
            f"code exchange answered {response.status_code}: {response.text[:200]}; check "
            "SPOTIFY_CLIENT_ID/SPOTIFY_CLIENT_SECRET and the redirect URI"
        )
    try:
        return CodeAnswer.model_validate_json(response.content).refresh_token
    except ValidationError as error:
        raise CredentialsRejected(f"code exchange sent no refresh token: {error}") from error

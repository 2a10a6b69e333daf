"""Where the bearer token may go: the configured API's own host, over https (pure).

``SPOTIFY_API_URL`` and ``SPOTIFY_ACCOUNTS_URL`` must be https; plain http is
accepted only on a loopback host (127.0.0.1, localhost, ::1: the fake Spotify)
or a host named in ``SPOTIFY_PLAIN_HTTP_HOSTS`` (the fake in a container
network). A link found in an answer (a page's ``next``) is followed only when
it has the API URL's own scheme, host and port (so never plain http beside an
https API): anything else would send the token elsewhere, so the caller
rebuilds the request from its own path and the page's offset or cursor.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import parse_qsl, urlsplit

from spotify_etl_common.errors import PermanentError

LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
"""Hosts where plain http is accepted (the fake Spotify on this machine)."""


def check_base_url(url: str, plain_http_hosts: frozenset[str] = frozenset()) -> str:
    """``url`` if it is https (http on loopback or ``plain_http_hosts``), else ``ValueError``."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    plain = parts.scheme == "http" and (host in LOOPBACK or host in plain_http_hosts)
    if not host or not (parts.scheme == "https" or plain):
        raise ValueError(
            f"{url!r} must be an https URL (plain http only on 127.0.0.1, localhost, ::1 or a "
            "host of SPOTIFY_PLAIN_HTTP_HOSTS)"
        )
    return url


def parse_hosts(text: str) -> frozenset[str]:
    """``SPOTIFY_PLAIN_HTTP_HOSTS``: a comma list of host names, lower-cased."""
    return frozenset(h.strip().lower() for h in text.split(",") if h.strip())


def _origin(url: str) -> tuple[str, str, int | None] | None:
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        return None
    if not parts.hostname:
        return None
    return parts.scheme.lower(), parts.hostname.lower(), port or _DEFAULT_PORTS.get(parts.scheme)


_DEFAULT_PORTS = {"https": 443, "http": 80}


def may_follow(link: str, api_url: str) -> bool:
    """Whether the token may go with ``link``: the API URL's own scheme, host and port (the
    settings made that https, or plain http on loopback or a named host)."""
    origin = _origin(link)
    return origin is not None and origin[0] in _DEFAULT_PORTS and origin == _origin(api_url)


def link_query(link: str) -> dict[str, str]:
    """The query parameters of a link (its offset or cursor), without following it."""
    return dict(parse_qsl(urlsplit(link).query))


def origin_of(link: str) -> str:
    """``scheme://host[:port]`` of a link, for a log line (never its query)."""
    parts = urlsplit(link)
    return f"{parts.scheme}://{parts.netloc.rsplit('@', 1)[-1]}"


def next_request(
    link: str | None,
    api_url: str,
    path: str,
    params: Mapping[str, str | int],
    offset: int,
) -> tuple[str, Mapping[str, str | int] | None] | None:
    """Where the page after this one is asked (None: this was the last page).

    The ``next`` link itself when the token may go with it; otherwise ``path`` on
    the configured API with the listing's first ``params`` and the next page's
    ``offset`` (offset listings) or the link's ``after`` cursor (cursor listings).
    """
    if link is None:
        return None
    if may_follow(link, api_url):
        return link, None
    if "offset" in params:
        return path, {**params, "offset": offset}
    cursor = link_query(link).get("after")
    if cursor:
        return path, {**params, "after": cursor}
    raise PermanentError(
        f"a next link on {origin_of(link)} is not on the API's host and carries no offset or "
        "cursor to ask the API for the page instead"
    )

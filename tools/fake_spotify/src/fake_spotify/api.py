"""The fake's behaviour, without HTTP: accounts service and Web API routes.

API requests pass, in order: the rolling-window rate limit (429 with
``Retry-After``), injected 5xx errors, the bearer token check (401 on unknown
or expired tokens), then the route. Ownership rules follow the 2026 API:
items of playlists the user does not own answer 403, editorial playlists 404.

A household: :meth:`FakeWebApi.add_user` registers more users of the same app,
each with a refresh token of their own; a user token answers with its own
user's ``/me``, playlists, plays and library (one quota and rate window for
all: they belong to the app). :meth:`FakeWebApi.requests_by_user` says whose
token asked for what.
"""

from __future__ import annotations

import base64
import hashlib
import random
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from fake_spotify import library_api, payloads
from fake_spotify.catalog import EDITORIAL_PLAYLIST_ID, Catalog, Playlist
from fake_spotify.household import FakeUser, user_catalog
from fake_spotify.reply import Json, Reply, page_bounds
from fake_spotify.tokens import USER_SCOPES, Credentials, Grant, RefreshTokens, TokenBook
from fake_spotify.window import (
    QUOTA_RETRY_AFTER,
    DailyQuota,
    RollingWindow,
    retry_after_header,
)

__all__ = ["FakeConfig", "FakeWebApi", "Reply"]
_PAGE_LIMITS = {"items": 50, "tracks": 100}


@dataclass(frozen=True)
class FakeConfig:
    """Behaviour knobs of the fake."""

    rate_limit: int = 0
    """Requests allowed per rolling window; 0 disables the limit."""
    window: float = 30.0
    """Length of the rolling window in seconds (smaller values simulate time faster)."""
    error_rate: float = 0.0
    """Fraction of API requests answered with an injected 500/502/503."""
    token_lifetime: float = 3600.0
    """``expires_in`` of issued access tokens, in seconds."""
    latency: float = 0.0
    """Seconds added to every API answer."""
    seed: int = 1
    credentials: Credentials = field(default_factory=Credentials)
    scoped_refresh_tokens: Mapping[str, str] = field(default_factory=dict)
    """More refresh tokens of the fake user, each with the space-separated scopes it was granted
    (tests of a missing scope: 403 on the routes that need it)."""
    rotate_refresh_tokens: bool = False
    """Every refresh answers a new refresh token; the used one is then refused (PKCE)."""
    refresh_token_expired: bool = False
    """Every refresh answers 400 invalid_grant (authorisation expired or revoked)."""
    daily_quota: int = 0
    """API requests before every answer is 429 QUOTA_EXCEEDED (Retry-After 86400); 0 = off."""
    omit_retry_after: bool = False
    """Rate-limit 429s carry no Retry-After header."""


class FakeWebApi:
    """State and answers of the fake (thread-safe: the HTTP server runs a thread per request)."""

    def __init__(
        self,
        catalog: Catalog,
        config: FakeConfig | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.catalog = catalog
        self.config = config or FakeConfig()
        self.window = RollingWindow(self.config.rate_limit, self.config.window, clock)
        self.tokens = TokenBook(self.config.token_lifetime, clock)
        self.refresh_tokens = RefreshTokens(
            self.config.credentials,
            rotate=self.config.rotate_refresh_tokens,
            expired=self.config.refresh_token_expired,
            scoped=self.config.scoped_refresh_tokens,
        )
        self.quota = DailyQuota(self.config.daily_quota)
        self.stats: Counter[str] = Counter()
        self.arrivals: list[float] = []
        """Clock reading of every API request received (benchmarks measure rates with it)."""
        self._clock = clock
        self._random = random.Random(self.config.seed)
        self._lock = threading.Lock()
        self._challenges: dict[str, str] = {}
        """PKCE ``code_challenge`` of each issued authorization code."""
        self.users: dict[str, Catalog] = {catalog.owner_id: catalog}
        """Each user's catalogue (their playlists, plays, library; the dimensions shared)."""
        self.by_user: Counter[tuple[str, str]] = Counter()
        """(user id, or ``app`` for app tokens; path) of every request that passed the token."""
        self.log: list[tuple[str, str]] = []
        """(user id or ``app``, path) of every request that passed the token, in order."""
        self.consenting = catalog.owner_id
        """Whose consent the next authorisation gives (tests of ``extractor auth --user``)."""

    def add_user(self, user: FakeUser) -> Catalog:
        """Another user of the app: their own catalogue and refresh token."""
        catalog = user_catalog(self.catalog, user)
        with self._lock:
            self.users[user.user_id] = catalog
        self.refresh_tokens.add(user.refresh_token, user.user_id)
        return catalog

    def requests_by_user(self) -> dict[str, dict[str, int]]:
        """Per user (``app`` for app tokens), the requests per path their tokens made."""
        with self._lock:
            counted = dict(self.by_user)
        found: dict[str, dict[str, int]] = {}
        for (user, path), count in counted.items():
            found.setdefault(user, {})[path] = count
        return found

    def _catalog_of(self, grant: Grant) -> Catalog:
        """The catalogue of the token's user (the first user's for app tokens)."""
        return self.users.get(grant.owner or "", self.catalog)

    def count(self, name: str) -> None:
        with self._lock:
            self.stats[name] += 1

    def inject_error(self) -> bool:
        if self.config.error_rate <= 0:
            return False
        with self._lock:
            return self._random.random() < self.config.error_rate

    # --- accounts service ----------------------------------------------------

    def token(self, authorization: str | None, form: dict[str, str]) -> Reply:
        creds = self.config.credentials
        client_id, client_secret = form.get("client_id", ""), form.get("client_secret", "")
        if authorization and authorization.startswith("Basic "):
            try:
                decoded = base64.b64decode(authorization[6:]).decode()
            except ValueError:
                decoded = ":"
            client_id, _, client_secret = decoded.partition(":")
        if (client_id, client_secret) != (creds.client_id, creds.client_secret):
            return Reply(401, {"error": "invalid_client", "error_description": "Invalid client"})
        grant_type = form.get("grant_type")
        if grant_type == "client_credentials":
            return self._issue(user=False, scopes="")
        if grant_type == "refresh_token":
            used = self.refresh_tokens.use(form.get("refresh_token"))
            if used is None:
                return Reply(
                    400, {"error": "invalid_grant", "error_description": "Invalid refresh token"}
                )
            scopes, rotated, owner = used
            reply = self._issue(user=True, scopes=scopes, owner=owner)
            if rotated is None:
                return reply
            return Reply(reply.status, reply.body | {"refresh_token": rotated})
        if grant_type == "authorization_code":
            if form.get("code") != creds.auth_code:
                return Reply(
                    400,
                    {"error": "invalid_grant", "error_description": "Invalid authorization code"},
                )
            if not self._pkce_verified(form.get("code", ""), form.get("code_verifier")):
                wrong = "code_verifier was incorrect"
                return Reply(400, {"error": "invalid_grant", "error_description": wrong})
            owner = self.consenting
            refresh = self.refresh_tokens.token_of(owner) or creds.refresh_token
            reply = self._issue(user=True, scopes=USER_SCOPES, owner=owner)
            return Reply(reply.status, reply.body | {"refresh_token": refresh})
        return Reply(400, {"error": "unsupported_grant_type", "error_description": str(grant_type)})

    def _issue(self, *, user: bool, scopes: str, owner: str | None = None) -> Reply:
        self.count("tokens_issued")
        token = self.tokens.issue(user, scopes, owner)
        body: Json = {
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": int(self.config.token_lifetime),
        }
        if user:
            body["scope"] = scopes
        return Reply(200, body)

    def authorize(self, query: dict[str, str]) -> tuple[int, str]:
        """Consent granted at once: redirect to ``redirect_uri`` with a code.

        With PKCE (``code_challenge_method=S256`` and a ``code_challenge``) the code's
        exchange must bring the matching ``code_verifier``; any other method is refused.
        """
        if query.get("client_id") != self.config.credentials.client_id:
            return 400, ""
        method, challenge = query.get("code_challenge_method"), query.get("code_challenge")
        if (method or challenge) and (method != "S256" or not challenge):
            return 400, ""
        code = self.config.credentials.auth_code
        with self._lock:
            if challenge:
                self._challenges[code] = challenge
            else:
                self._challenges.pop(code, None)
        target = query.get("redirect_uri", "")
        params = {"code": code, "state": query.get("state", "")}
        return 302, f"{target}?{urlencode(params)}"

    def _pkce_verified(self, code: str, verifier: str | None) -> bool:
        """True without a challenge for ``code``; else the verifier's S256 must match it."""
        with self._lock:
            challenge = self._challenges.get(code)
        if challenge is None:
            return True
        if not verifier:
            return False
        digest = hashlib.sha256(verifier.encode()).digest()
        return base64.urlsafe_b64encode(digest).decode().rstrip("=") == challenge

    # --- the library changes (admin: POST /fake/library/<change>) --------------

    def change_library(self, change: str, query: dict[str, str]) -> Reply:
        """``new-release?tracks=N`` saves a new album's tracks; ``shift-taste?time_range=R``
        moves that range's top items; ``unsave?kind=tracks&ids=a,b`` removes saved items."""
        with self._lock:
            return library_api.change(self.catalog, change, query)

    # --- Web API ----------------------------------------------------------------

    def handle_api(
        self, path: str, query: dict[str, str], authorization: str | None, base: str
    ) -> Reply:
        self.count("requests")
        with self._lock:
            self.arrivals.append(self._clock())
        if not self.quota.spend():
            self.count("quota_exceeded")
            body = payloads.error(429, "Daily quota exceeded")
            body["error"]["reason"] = "QUOTA_EXCEEDED"
            return Reply(429, body, (("Retry-After", str(QUOTA_RETRY_AFTER)),))
        wait = self.window.admit()
        if wait is not None:
            self.count("rate_limited")
            headers = (
                () if self.config.omit_retry_after else (("Retry-After", retry_after_header(wait)),)
            )
            return Reply(429, payloads.error(429, "API rate limit exceeded"), headers)
        if self.inject_error():
            self.count("injected_errors")
            status = self._random.choice((500, 502, 503))
            return Reply(status, payloads.error(status, "Injected server error"))
        token = (authorization or "").removeprefix("Bearer ").strip()
        grant = self.tokens.check(token)
        if grant is None:
            self.count("unauthorized")
            message = "The access token expired" if token else "No token provided"
            return Reply(401, payloads.error(401, message))
        with self._lock:
            self.by_user[(grant.owner or "app", path)] += 1
            self.log.append((grant.owner or "app", path))
        reply = self._route(path, query, grant, base)
        self.count(f"status_{reply.status}")
        return reply

    def _route(self, path: str, query: dict[str, str], grant: Grant, base: str) -> Reply:
        c = self._catalog_of(grant)
        if path == "/me":
            me = payloads.user(base, c.owner_id, c.display_name)
            return self._user_only(grant) or Reply(200, me)
        if path == "/me/playlists":
            return self._need_scope(grant, "playlist-read-private") or self._my_playlists(
                c, query, base
            )
        if path == "/me/player/recently-played":
            return self._need_scope(grant, "user-read-recently-played") or self._recent(
                c, query, base
            )
        if library_api.is_library_path(path):
            needed = library_api.SCOPES.get(path)
            denied = self._need_scope(grant, needed) if needed else None
            return denied or library_api.route(c, path, query, base)
        if match := re.fullmatch(r"/playlists/([^/]+)(/items|/tracks)?", path):
            return self._playlist(c, match.group(1), match.group(2), query, grant, base)
        if path in ("/albums", "/artists", "/tracks"):
            return Reply(
                403, payloads.error(403, "This endpoint is not available in development mode")
            )
        if match := re.fullmatch(r"/(albums|artists|tracks)/([^/]+)", path):
            kind, entity_id = match.groups()
            if kind == "albums" and entity_id in c.albums:
                return Reply(200, payloads.album(base, c, c.albums[entity_id]))
            if kind == "artists" and entity_id in c.artists:
                return Reply(200, payloads.artist(base, c.artists[entity_id]))
            if kind == "tracks" and entity_id in c.tracks:
                return Reply(200, payloads.track(base, c, c.tracks[entity_id]))
            if not re.fullmatch(r"[0-9A-Za-z]{22}", entity_id):
                return Reply(400, payloads.error(400, "Invalid base62 id"))
            return Reply(404, payloads.error(404, "Resource not found"))
        return Reply(404, payloads.error(404, "Service not found"))

    @staticmethod
    def _user_only(grant: Grant) -> Reply | None:
        if grant.user:
            return None
        return Reply(401, payloads.error(401, "Valid user authentication required"))

    def _need_scope(self, grant: Grant, scope: str) -> Reply | None:
        if denied := self._user_only(grant):
            return denied
        if scope not in grant.scopes:
            return Reply(403, payloads.error(403, "Insufficient client scope"))
        return None

    def _my_playlists(self, c: Catalog, query: dict[str, str], base: str) -> Reply:
        bounds = page_bounds(query, 20, 50)
        if isinstance(bounds, Reply):
            return bounds
        limit, offset = bounds
        everything = list(c.playlists.values())
        items = [payloads.playlist_summary(base, p) for p in everything[offset : offset + limit]]
        link = f"{base}/users/{c.owner_id}/playlists"  # as the real API still writes it
        href = f"{link}?offset={offset}&limit={limit}"
        return Reply(200, payloads.page(href, items, offset, limit, len(everything), link))

    def _playlist(
        self,
        c: Catalog,
        playlist_id: str,
        what: str | None,
        query: dict[str, str],
        grant: Grant,
        base: str,
    ) -> Reply:
        if not re.fullmatch(r"[0-9A-Za-z]{22}", playlist_id):
            return Reply(400, payloads.error(400, "Invalid base62 id"))
        with self._lock:
            catalogs = list(self.users.values())
        # any user's playlist exists; only its owner (or a collaborator) reads its items
        playlist = next(
            (u.playlists[playlist_id] for u in catalogs if playlist_id in u.playlists), None
        )
        if playlist is None or playlist_id == EDITORIAL_PLAYLIST_ID:
            return Reply(404, payloads.error(404, "Resource not found"))
        if what is None:
            first = None
            if c.readable(playlist):
                first = self._page(playlist, "items", 50, 0, base)
            return Reply(200, payloads.playlist(base, playlist, first))
        kind = what.strip("/")
        if kind == "items":
            if denied := self._need_scope(grant, "playlist-read-private"):
                return denied
            if not c.readable(playlist):
                return Reply(403, payloads.error(403, "Forbidden"))
        bounds = page_bounds(query, _PAGE_LIMITS[kind], _PAGE_LIMITS[kind])
        if isinstance(bounds, Reply):
            return bounds
        limit, offset = bounds
        return Reply(200, self._page(playlist, kind, limit, offset, base))

    def _page(self, playlist: Playlist, kind: str, limit: int, offset: int, base: str) -> Json:
        entries = playlist.entries[offset : offset + limit]
        legacy = kind == "tracks"
        items = [
            payloads.playlist_entry(base, self.catalog, e, playlist.owner_id, legacy=legacy)
            for e in entries
        ]
        link = f"{base}/playlists/{playlist.id}/{kind}"
        href = f"{link}?offset={offset}&limit={limit}"
        return payloads.page(href, items, offset, limit, len(playlist.entries), link)

    def _recent(self, c: Catalog, query: dict[str, str], base: str) -> Reply:
        try:
            limit = int(query.get("limit", 20))
            after = int(query["after"]) if "after" in query else None
            before = int(query["before"]) if "before" in query else None
        except ValueError:
            return Reply(400, payloads.error(400, "Invalid cursor or limit"))
        if not 1 <= limit <= 50 or (after is not None and before is not None):
            return Reply(400, payloads.error(400, "Invalid limit, or both after and before given"))

        def ms(p: Any) -> int:
            return int(p.played_at.timestamp() * 1000)

        plays = sorted(c.plays, key=ms)
        if after is not None:
            later = [p for p in plays if ms(p) > after]
            chosen, more = later[:limit], len(later) > limit
        else:
            earlier = [p for p in plays if before is None or ms(p) < before]
            chosen, more = earlier[-limit:], False
        chosen = sorted(chosen, key=ms, reverse=True)
        link = f"{base}/me/player/recently-played"
        href = f"{link}?{urlencode(query)}"
        cursors = {"after": str(ms(chosen[0])), "before": str(ms(chosen[-1]))} if chosen else None
        body: Json = {
            "href": href,
            "limit": limit,
            "next": f"{link}?{urlencode({'after': ms(chosen[0]), 'limit': limit})}"
            if chosen and more
            else None,
            "cursors": cursors,
            "total": len(plays),
            "items": [payloads.play(base, c, p) for p in chosen],
        }
        return Reply(200, body)

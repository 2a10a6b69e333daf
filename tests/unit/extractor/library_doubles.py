"""The fake Spotify behind an httpx MockTransport (no server), and in-memory S3 and SQS ports."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import UTC, datetime
from urllib.parse import parse_qsl

import httpx
from extractor.output import Publisher, RunContext
from extractor.run import RunPlan, RunReport, UserRun, run_once
from extractor.spotify.client import SpotifyClient
from extractor.spotify.grants import UserGrant, auth_command
from extractor.spotify.limiter import RollingWindowLimiter
from extractor.spotify.retry import RetryPolicy
from extractor.spotify.tokens import AppCredentials, TokenProvider
from extractor.state.documents import StateStore
from fake_spotify.api import FakeWebApi
from spotify_etl_common.messages import RawObjectWritten
from spotify_etl_common.s3 import ObjectInfo
from spotify_etl_common.sqs import OutgoingMessage

API = "https://api.test/v1"
ACCOUNTS = "https://accounts.test"


class MemoryStore:
    """The ObjectStore port in memory."""

    def __init__(self) -> None:
        self.objects: dict[str, bytes] = {}
        self.etags: dict[str, str] = {}
        self._writes = 0

    async def put(
        self,
        key: str,
        body: bytes,
        content_type: str = "application/json",
        metadata: Mapping[str, str] | None = None,
    ) -> None:
        self.objects[key] = body
        self._writes += 1
        self.etags[key] = f'"{self._writes}"'

    async def get_or_none(self, key: str) -> bytes | None:
        return self.objects.get(key)

    async def extracted_at(self, key: str) -> datetime | None:
        return None

    async def list(self, prefix: str) -> AsyncIterator[ObjectInfo]:
        for key in sorted(self.objects):
            if key.startswith(prefix):
                yield ObjectInfo(key, len(self.objects[key]), datetime.now(UTC))

    async def read_versioned(self, key: str) -> tuple[bytes, str] | None:
        if key not in self.objects:
            return None
        return self.objects[key], self.etags[key]

    async def put_conditionally(
        self, key: str, body: bytes, *, if_match: str | None = None
    ) -> str | None:
        """S3's conditions: create only if absent, replace only if the ETag still matches."""
        if self.etags.get(key) != if_match:
            return None
        await self.put(key, body)
        return self.etags[key]


class MemorySink:
    """The MessageSink port in memory."""

    def __init__(self) -> None:
        self.messages: list[RawObjectWritten] = []

    async def send(self, messages: Sequence[OutgoingMessage]) -> None:
        self.messages.extend(RawObjectWritten.model_validate_json(m.body) for m in messages)


class FakeTransport:
    """Requests answered by the fake's pure core; counts API requests by path and origin.

    ``link_base`` is the API URL the fake writes into its links (``next``, ``href``):
    another host than the one asked simulates a page stored by a run with another
    ``SPOTIFY_API_URL``, or a foreign link.
    """

    def __init__(
        self, fake: FakeWebApi, refresh_token: str = "fake-refresh-token", link_base: str = API
    ) -> None:
        self.fake = fake
        self.refresh_token = refresh_token
        self.link_base = link_base
        self.paths: Counter[str] = Counter()
        self.order: list[str] = []
        """Every API path in the order asked."""
        self.origins: Counter[str] = Counter()
        """``scheme://host`` of every request, the token endpoint's included."""

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.origins[f"{request.url.scheme}://{request.url.netloc.decode()}"] += 1
        if request.url.path == "/api/token":
            form = dict(parse_qsl(request.content.decode()))
            reply = self.fake.token(request.headers.get("Authorization"), form)
        else:
            path = request.url.path.removeprefix("/v1")
            self.paths[path] += 1
            self.order.append(path)
            reply = self.fake.handle_api(
                path, dict(request.url.params), request.headers.get("Authorization"), self.link_base
            )
        return httpx.Response(
            reply.status, content=json.dumps(reply.body).encode(), headers=dict(reply.headers)
        )


async def run(
    transport: FakeTransport,
    store: MemoryStore,
    sink: MemorySink,
    plan: RunPlan,
    started_at: datetime,
    api: str = API,
    household: Sequence[tuple[str, UserGrant | None]] | None = None,
    concurrency: int = 4,
) -> RunReport:
    """One extractor run against the fake at ``started_at`` (``api``: SPOTIFY_API_URL);
    ``household``: the users of EXTRACTOR_USERS, by name, with their grants (None: their
    secret could not be read)."""

    async def no_sleep(_: float) -> None:
        return None

    async with httpx.AsyncClient(transport=httpx.MockTransport(transport)) as http:
        refresh = None if household is not None else transport.refresh_token
        credentials = AppCredentials("fake-client-id", "fake-client-secret", refresh)
        tokens = TokenProvider(http, ACCOUNTS, credentials)
        client = SpotifyClient(
            http,
            tokens,
            api,
            RollingWindowLimiter(10_000, 30.0),
            concurrency=concurrency,
            policy=RetryPolicy(max_attempts=2, max_retry_after=1),
            sleep=no_sleep,
        )
        run_context = RunContext(f"{started_at:%Y%m%dT%H%M%SZ}-test", started_at, "bucket")
        publisher = Publisher(store, sink, run_context)
        users = None
        if household is not None:
            users = [
                UserRun(
                    client.for_user(
                        TokenProvider(
                            http,
                            ACCOUNTS,
                            credentials,
                            grant=grant,
                            app=tokens,
                            auth_command=auth_command(name),
                        ),
                        name,
                    ),
                    name,
                    None if grant else f"secret of {name} missing",
                    grant.user_id if grant else None,
                )
                for name, grant in household
            ]
        return await run_once(client, StateStore(store), publisher, plan, users)

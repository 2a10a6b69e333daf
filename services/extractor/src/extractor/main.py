"""The extractor's composition root: ``extractor run-once | run | auth | lease | gone``."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import re
import signal
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from pydantic import ValidationError
from spotify_etl_common.aws import s3_client, secretsmanager_client, sqs_client
from spotify_etl_common.errors import SpotifyEtlError
from spotify_etl_common.gone import GONE_STATE, GoneEntities
from spotify_etl_common.logs import configure_logging, get_logger
from spotify_etl_common.metrics import Unit, emf_fields
from spotify_etl_common.settings import (
    EXIT_CONFIG_ERROR,
    CommonSettings,
    describe_errors,
    load_settings,
)
from spotify_etl_common.sqs import SqsQueue

from extractor.household.roster import NAME, parse_users, secret_id
from extractor.household.summary import UserReport
from extractor.output import Publisher, RunContext
from extractor.run import RunPlan, RunReport, UserRun, run_once
from extractor.settings import ExtractorSettings, SecretStoreSettings, SpotifyAppSettings
from extractor.sources.library import LibraryPlan, library_scopes, parse_library, split_mine
from extractor.sources.refs import parse_playlist_refs
from extractor.spotify.authflow import Authorised, MeAnswer, authorize, scopes_for, who_authorised
from extractor.spotify.circuit import Circuit
from extractor.spotify.client import SpotifyClient
from extractor.spotify.grants import (
    ENV_WARNING,
    EnvironmentGrant,
    GrantKeeper,
    UserGrant,
    auth_command,
)
from extractor.spotify.limiter import RollingWindowLimiter
from extractor.spotify.retry import RetryPolicy
from extractor.spotify.tokens import AppCredentials, TokenProvider
from extractor.state import lease
from extractor.state.documents import StateStore
from extractor.state.gone import clear as clear_gone
from extractor.state.gone import lines as gone_lines
from extractor.state.gone import parse_entity
from extractor.state.secret_store import SecretsManagerGrant
from extractor.state.store import ExtractorStore

log = get_logger("extractor")
_SIGNAL_STOP = "a stop signal (SIGTERM) arrived"
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_interval(text: str) -> float:
    """``90s``, ``30m``, ``1h``, ``1d`` or plain seconds."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*", text)
    if not match or float(match.group(1)) <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not an interval like 90s, 30m, 1h or 1d")
    return float(match.group(1)) * _UNITS[match.group(2) or "s"]


def credentials(settings: SpotifyAppSettings) -> AppCredentials:
    refresh = settings.spotify_refresh_token
    return AppCredentials(
        client_id=settings.spotify_client_id,
        client_secret=settings.spotify_client_secret.get_secret_value(),
        refresh_token=refresh.get_secret_value() if refresh else None,
    )


def plan_for(settings: ExtractorSettings) -> RunPlan:
    mine, playlists = split_mine(settings.playlists)
    return RunPlan(
        playlists=parse_playlist_refs(playlists),
        library=LibraryPlan(
            sources=parse_library(settings.library),
            mine=mine,
            full_every=timedelta(days=settings.library_full_every),
            max_shows=settings.max_shows,
        ),
        recently_played=settings.recently_played,
        items_endpoint=settings.playlist_items_endpoint,
        max_entities=settings.max_entities,
        recent_max_pages=settings.recently_played_max_pages,
        gone_after=settings.gone_after,
    )


def auth_scopes(settings: SpotifyAppSettings) -> list[str]:
    """The scopes the configured sources need: playlists, recently played, the library."""
    mine, playlists = split_mine(settings.playlists)
    base = scopes_for(bool(playlists.strip()) or mine, settings.recently_played)
    extra = library_scopes(parse_library(settings.library), mine)
    return list(dict.fromkeys([*base, *extra]))


def new_run(settings: ExtractorSettings) -> RunContext:
    now = datetime.now(UTC)
    return RunContext(
        run_id=f"{now:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}",
        started_at=now,
        bucket=settings.bucket,
    )


def run_circuit(settings: ExtractorSettings) -> Circuit:
    """The circuit of a run starting now: it stops at EXTRACTOR_RUN_DEADLINE."""
    return Circuit(deadline=time.monotonic() + settings.run_deadline)


async def load_user(
    settings: ExtractorSettings, secrets: Any | None
) -> tuple[UserGrant | None, GrantKeeper, list[str]]:
    """The user's grant at the start of a run: the secret, else the variable (with a warning)."""
    if settings.spotify_refresh_token_secret and secrets is not None:
        keeper = SecretsManagerGrant(secrets, settings.spotify_refresh_token_secret)
        return await keeper.load(), keeper, []
    if settings.spotify_refresh_token is not None:
        grant = UserGrant(settings.spotify_refresh_token.get_secret_value())
        return grant, EnvironmentGrant(), [ENV_WARNING]
    return None, EnvironmentGrant(), []


async def household(
    settings: ExtractorSettings,
    secrets: Any,
    http: httpx.AsyncClient,
    client: SpotifyClient,
) -> list[UserRun]:
    """Every EXTRACTOR_USERS name with their grant (a secret each) and their own client,
    sharing the app's token and pacing with ``client``; a grant that cannot be loaded
    leaves that user out with one line (the others go on)."""
    app = AppCredentials(
        settings.spotify_client_id, settings.spotify_client_secret.get_secret_value()
    )
    users = []
    for name in parse_users(settings.users):
        command = auth_command(name)
        keeper = SecretsManagerGrant(secrets, secret_id(settings.user_secret_prefix, name), command)
        grant: UserGrant | None = None
        problem: str | None = None
        try:
            grant = await keeper.load()
        except SpotifyEtlError as error:
            problem = error.reason
        tokens = TokenProvider(
            http,
            settings.spotify_accounts_url,
            app,
            grant=grant,
            keeper=keeper,
            on_unavailable=client.circuit.trip,
            app=client.tokens,
            auth_command=command,
        )
        known = grant.user_id if grant is not None else None
        users.append(UserRun(client.for_user(tokens, name), name, problem, known))
    return users


async def extract(settings: ExtractorSettings, circuit: Circuit | None = None) -> RunReport:
    """Take the lease, build the clients, run every source once, release, close everything."""
    run = new_run(settings)
    circuit = circuit or run_circuit(settings)
    limits = httpx.Limits(max_connections=settings.concurrency + 2)
    async with contextlib.AsyncExitStack() as stack:
        http = await stack.enter_async_context(
            httpx.AsyncClient(timeout=settings.request_timeout, limits=limits)
        )
        s3 = await stack.enter_async_context(s3_client(settings))
        sqs = await stack.enter_async_context(sqs_client(settings))
        secrets = None
        if settings.spotify_refresh_token_secret or settings.users.strip():
            secrets = await stack.enter_async_context(secretsmanager_client(settings))
        store = ExtractorStore(s3, settings.bucket)
        now = datetime.now(UTC)
        taken = await lease.take(
            store, lease.lease_for(run.run_id, now, settings.run_deadline + lease.GRACE), now
        )
        if isinstance(taken, lease.Busy):
            return RunReport(run_id=run.run_id, busy=taken.line())
        try:
            if taken.took_over is not None:
                log.warning(
                    "extract.lease.taken_over",
                    run_id=run.run_id,
                    expired_run=taken.took_over.run_id,
                    expired_at=taken.took_over.expires_at.isoformat(),
                )
            several = bool(settings.users.strip())
            grant, keeper, warnings = (
                (None, None, []) if several else await load_user(settings, secrets)
            )
            tokens = TokenProvider(
                http,
                settings.spotify_accounts_url,
                credentials(settings),
                grant=grant,
                keeper=keeper,
                on_unavailable=circuit.trip,
            )
            client = SpotifyClient(
                http,
                tokens,
                settings.spotify_api_url,
                RollingWindowLimiter(settings.rate_limit, settings.rate_window),
                settings.concurrency,
                RetryPolicy(
                    max_attempts=settings.max_attempts,
                    max_retry_after=settings.max_retry_after,
                ),
                circuit=circuit,
            )
            queue = await SqsQueue.resolve(sqs, settings.transform_queue)
            publisher = Publisher(store, queue, run)
            users = await household(settings, secrets, http, client) if several else None
            report = await run_once(client, StateStore(store), publisher, plan_for(settings), users)
            report.warnings[:0] = warnings
            return report
        finally:
            await lease.release(store, taken)


def log_report(report: RunReport) -> None:
    """Per-source events, then the one summary event carrying the run's metrics."""
    if report.busy is not None:
        log.info("extract.run.skipped", run_id=report.run_id, reason=report.busy, **_emf({}))
        return
    for outcome in report.outcomes:
        log.info(
            "extract.source.done",
            run_id=report.run_id,
            source=outcome.source,
            status=str(outcome.status),
            user=outcome.user,
            objects=outcome.objects,
            error=outcome.error,
        )
    for warning in report.warnings:
        log.warning("extract.run.warning", run_id=report.run_id, warning=warning)
    for user in report.users:
        log_user(report, user)
    counters = report.counters
    metrics: dict[str, tuple[float, Unit]] = {
        "SpotifyRequests": (counters.requests, "Count"),
        "SpotifyRateLimited": (counters.rate_limited, "Count"),
        "SpotifyServerErrors": (counters.server_errors, "Count"),
        "SpotifyQuotaExceeded": (1 if report.quota is not None else 0, "Count"),
        "ObjectsWritten": (report.objects_written, "Count"),
        "MessagesSent": (report.messages_sent, "Count"),
        "SourcesFailed": (len(report.failures), "Count"),
        "RunDuration": (round(report.seconds, 3), "Seconds"),
        "ExtractionSucceeded": (1 if report.ok else 0, "Count"),
        "ExtractionFailed": (0 if report.ok or report.deferred else 1, "Count"),
        "ExtractionDeferred": (1 if report.deferred else 0, "Count"),
    }
    if report.days_left is not None:
        metrics["RefreshTokenDaysLeft"] = (report.days_left, "None")
    event = log.info if report.ok or report.deferred else log.error
    deferred = (
        {"deferred_sources": report.stopped_sources, "deferred_entities": report.deferred_entities}
        if report.deferred
        else {}
    )
    event(
        "extract.run.summary",
        run_id=report.run_id,
        stopped=report.stop_line(),
        **deferred,
        failures=[
            *report.authorizations,
            *report.problems,
            *(o.line() for o in report.failures),
        ],
        **_emf(metrics),
    )


def log_user(report: RunReport, user: UserReport) -> None:
    """One line per user of the run: their Spotify id (never a token), what happened, and the
    user's metrics under the ``User`` dimension (when the id is known)."""
    status = user.status(report.deferred)
    fields: dict[str, object] = {
        "run_id": report.run_id,
        "user": user.user_id,
        "name": user.name,
        "status": status,
        "failures": user.failures,
    }
    if user.user_id is not None:
        metrics: dict[str, tuple[float, Unit]] = {
            "UserExtractionFailed": (1 if status == "failed" else 0, "Count"),
            "UserSpotifyRequests": (user.requests, "Count"),
            "UserObjectsWritten": (user.objects_written, "Count"),
        }
        left = user.grant.days_left(report.finished_at) if user.grant else None
        if left is not None:
            metrics["UserRefreshTokenDaysLeft"] = (left, "None")
        stamp = int(time.time() * 1000)
        fields |= emf_fields("extractor", metrics, stamp, {"User": user.user_id})
    (log.error if status == "failed" else log.info)("extract.user.summary", **fields)


def _emf(metrics: dict[str, tuple[float, Unit]]) -> dict[str, object]:
    """EMF members; a run that never started (busy lease) counts as no outcome."""
    every: dict[str, tuple[float, Unit]] = {
        "ExtractionSucceeded": (0, "Count"),
        "ExtractionFailed": (0, "Count"),
        "ExtractionDeferred": (0, "Count"),
    }
    return emf_fields("extractor", every | metrics, int(time.time() * 1000))


def log_aborted(reason: str) -> None:
    """An early abort (the secret, the queue, S3): one line, and it counts as a failed run."""
    log.error("extract.run.aborted", reason=reason, **_emf({"ExtractionFailed": (1, "Count")}))


def run_once_command(settings: ExtractorSettings) -> int:
    async def once() -> RunReport:
        circuit = run_circuit(settings)
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, circuit.stop, _SIGNAL_STOP)
        return await extract(settings, circuit)

    try:
        report = asyncio.run(once())
    except SpotifyEtlError as error:
        log_aborted(error.reason)
        print(f"extractor: run aborted: {error.reason}", file=sys.stderr)
        return 1
    except Exception as error:  # a bug: still one failed run on the alarm, then the traceback
        log_aborted(f"unexpected {type(error).__name__}: {error}")
        raise
    log_report(report)
    if report.busy is not None:
        print(f"extractor: {report.busy}", file=sys.stderr)
        return 0
    for line in report.summary_lines():
        print(line, file=sys.stderr)
    return 0 if report.ok or report.deferred else 1


async def _every(settings: ExtractorSettings, interval: float) -> int:
    stop = asyncio.Event()
    current: list[Circuit] = []

    def on_signal() -> None:
        stop.set()
        for circuit in current:
            circuit.stop(_SIGNAL_STOP)

    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, on_signal)
    while not stop.is_set():
        current[:] = [run_circuit(settings)]
        try:
            log_report(await extract(settings, current[0]))
        except SpotifyEtlError as error:
            log_aborted(error.reason)
        log.info("extract.run.sleeping", seconds=interval)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), interval)
    return 0


CHOOSE = (
    "extractor auth: choose where the refresh token goes: --store (the Secrets Manager secret "
    "SPOTIFY_REFRESH_TOKEN_SECRET, never shown) or --print (shown on this terminal, for "
    "SPOTIFY_REFRESH_TOKEN)"
)


def authorize_command(
    port: int | None, store: bool, print_token: bool, user: str | None = None
) -> int:
    """``extractor auth --store [--user NAME] | --print``: the token is shown only when asked
    to; ``--user`` stores one household user's grant in their own secret."""
    if not store and not print_token:
        print(CHOOSE, file=sys.stderr)
        return EXIT_CONFIG_ERROR
    if user is not None and not store:
        print("extractor auth: --user goes with --store (the user's own secret)", file=sys.stderr)
        return EXIT_CONFIG_ERROR
    if user is not None and not NAME.fullmatch(user):
        print(
            f"extractor auth --user: {user!r} is not a name (1-64 letters, digits, '_', '.' or "
            "'-', as in EXTRACTOR_USERS)",
            file=sys.stderr,
        )
        return EXIT_CONFIG_ERROR
    try:
        settings = SecretStoreSettings()
    except ValidationError as error:
        print(describe_errors(SecretStoreSettings, error), file=sys.stderr)
        return EXIT_CONFIG_ERROR
    if store and user is None and not settings.spotify_refresh_token_secret:
        print(
            "extractor auth --store: set SPOTIFY_REFRESH_TOKEN_SECRET to the secret's name or ARN "
            "(or name a household user with --user NAME)",
            file=sys.stderr,
        )
        return EXIT_CONFIG_ERROR
    if user is not None:
        print(f"authorising {user}: sign in to Spotify as {user} in the browser", flush=True)

    async def flow() -> tuple[Authorised, MeAnswer | None]:
        async with httpx.AsyncClient(timeout=30) as http:
            given = await authorize(
                http,
                settings.spotify_accounts_url,
                credentials(settings),
                auth_scopes(settings),
                settings.auth_port if port is None else port,
                lambda line: print(line, flush=True),
            )
            me = await who_authorised(http, settings.spotify_api_url, given.access_token)
            return given, me

    try:
        given, me = asyncio.run(flow())
    except SpotifyEtlError as error:
        print(f"extractor auth: {error.reason}", file=sys.stderr)
        return 1
    except TimeoutError:
        print("extractor auth: no answer from the browser in time; start again", file=sys.stderr)
        return 1
    if store:
        grant = UserGrant(
            given.refresh_token,
            datetime.now(UTC),
            me.id if me else None,
            me.display_name if me else None,
        )
        return store_grant(settings, grant, user)
    print("Store this as the SPOTIFY_REFRESH_TOKEN secret:")
    print(f"SPOTIFY_REFRESH_TOKEN={given.refresh_token}", flush=True)
    return 0


def store_grant(settings: SecretStoreSettings, grant: UserGrant, user: str | None = None) -> int:
    """``auth --store [--user NAME]``: write the grant to the secret (the user's own under
    SPOTIFY_USER_SECRET_PREFIX with ``user``); the token is never printed."""
    secret = (
        secret_id(settings.user_secret_prefix, user)
        if user is not None
        else settings.spotify_refresh_token_secret
    )
    if not secret:
        print(
            "extractor auth --store: set SPOTIFY_REFRESH_TOKEN_SECRET to the secret's name or ARN",
            file=sys.stderr,
        )
        return 2
    command = auth_command(user)

    async def write() -> None:
        async with secretsmanager_client(settings) as client:
            await SecretsManagerGrant(client, secret, command).store(grant)

    try:
        asyncio.run(write())
    except SpotifyEtlError as error:
        print(f"extractor auth --store: {error.reason}", file=sys.stderr)
        return 1
    who = (
        f" of {grant.display_name or grant.user_id} (spotify id {grant.user_id})"
        if grant.user_id
        else ""
    )
    print(
        f"stored the refresh token{who} in secret {secret} (authorised "
        f"{grant.authorized_at:%Y-%m-%d}; it must be renewed with `{command}` by "
        f"{grant.expires_at():%Y-%m-%d})",
        flush=True,
    )
    if user is not None and user not in parse_users(settings.users):
        print(f"add {user} to EXTRACTOR_USERS for runs to extract them", flush=True)
    return 0


def lease_command(settings: CommonSettings, run_id: str | None) -> int:
    """``extractor lease [--break RUN_ID]``: show the run lease, or release a dead run's."""

    async def act() -> list[str] | lease.Broken:
        async with s3_client(settings) as s3:
            store = ExtractorStore(s3, settings.bucket)
            if run_id is None:
                return (await lease.inspect(store)).lines(datetime.now(UTC))
            return await lease.break_lease(store, run_id)

    try:
        result = asyncio.run(act())
    except SpotifyEtlError as error:
        print(f"extractor lease: {error.reason}", file=sys.stderr)
        return 1
    if isinstance(result, lease.Broken):
        print(result.line, file=sys.stdout if result.done else sys.stderr)
        if result.done:
            log.warning("extract.lease.broken", run_id=run_id)
        return 0 if result.done else 1
    print("\n".join(result))
    return 0


def gone_command(settings: CommonSettings, clear: list[str] | None) -> int:
    """``extractor gone [--clear [SOURCE:ID ...]]``: entities recorded as gone, or retry them."""
    try:
        which = None if not clear else [parse_entity(text) for text in clear]
    except ValueError as error:
        print(f"extractor gone --clear: {error}", file=sys.stderr)
        return EXIT_CONFIG_ERROR

    async def act() -> list[str]:
        async with s3_client(settings) as s3:
            state = StateStore(ExtractorStore(s3, settings.bucket))
            if clear is None:
                document = await state.read_document(GONE_STATE, GoneEntities)
                return gone_lines(document or GoneEntities())
            cleared = await clear_gone(state, which)
            log.info("extract.gone.cleared", entities=[f"{s}:{i}" for s, i in cleared])
            return [f"{len(cleared)} entities back in the journal: the next run fetches them again"]

    try:
        shown = asyncio.run(act())
    except SpotifyEtlError as error:
        print(f"extractor gone: {error.reason}", file=sys.stderr)
        return 1
    print("\n".join(shown))
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="extractor", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("run-once", help="run every configured source once and exit")
    every = commands.add_parser("run", help="run every configured source repeatedly")
    every.add_argument("--every", type=parse_interval, default=3600.0, help="e.g. 1h, 30m")
    auth = commands.add_parser("auth", help="authorise a user once (store or print the token)")
    auth.add_argument("--port", type=int, default=None, help="loopback port (0 = any free one)")
    where = auth.add_mutually_exclusive_group()
    where.add_argument(
        "--store",
        action="store_true",
        help="write the token to SPOTIFY_REFRESH_TOKEN_SECRET (Secrets Manager), never print it",
    )
    where.add_argument(
        "--print",
        dest="print_token",
        action="store_true",
        help="print the token on this terminal (for SPOTIFY_REFRESH_TOKEN)",
    )
    auth.add_argument(
        "--user",
        metavar="NAME",
        default=None,
        help="with --store: a household user (EXTRACTOR_USERS), stored in the secret "
        "<SPOTIFY_USER_SECRET_PREFIX>NAME",
    )
    held = commands.add_parser("lease", help="show who holds the run lease, or break a dead run's")
    held.add_argument(
        "--break",
        dest="break_run",
        metavar="RUN_ID",
        default=None,
        help="release the lease if RUN_ID still holds it (a run killed without releasing it)",
    )
    gone = commands.add_parser(
        "gone", help="entities recorded as gone (404 for EXTRACTOR_GONE_AFTER runs)"
    )
    gone.add_argument(
        "--clear",
        nargs="*",
        metavar="SOURCE:ID",
        default=None,
        help="give them (all, or those named, e.g. albums:<id>) back to the next run",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "auth":
        return authorize_command(args.port, args.store, args.print_token, args.user)
    if args.command in ("lease", "gone"):  # state only: the common variables suffice
        common = load_settings(CommonSettings)
        configure_logging("extractor", common.log_level)
        if args.command == "lease":
            return lease_command(common, args.break_run)
        return gone_command(common, args.clear)
    settings = load_settings(ExtractorSettings)
    configure_logging("extractor", settings.log_level)
    if args.command == "run-once":
        return run_once_command(settings)
    return asyncio.run(_every(settings, args.every))


if __name__ == "__main__":
    sys.exit(main())

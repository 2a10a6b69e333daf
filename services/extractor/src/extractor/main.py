"""The extractor's composition root: ``extractor run-once | run --every 1h | auth``."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import re
import signal
import sys
import time
import uuid
from datetime import UTC, datetime

import httpx
from pydantic import ValidationError
from spotify_etl_common.aws import s3_client, sqs_client
from spotify_etl_common.errors import SpotifyEtlError
from spotify_etl_common.logs import configure_logging, get_logger
from spotify_etl_common.metrics import emf_fields
from spotify_etl_common.s3 import S3Store
from spotify_etl_common.settings import load_settings
from spotify_etl_common.sqs import SqsQueue

from extractor.authflow import authorize, scopes_for
from extractor.client import SpotifyClient
from extractor.limiter import RollingWindowLimiter
from extractor.output import Publisher, RunContext
from extractor.refs import parse_playlist_refs
from extractor.retry import RetryPolicy
from extractor.run import RunPlan, RunReport, run_once
from extractor.settings import ExtractorSettings, SpotifyAppSettings
from extractor.state import StateStore
from extractor.tokens import AppCredentials, TokenProvider

log = get_logger("extractor")
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
    return RunPlan(
        playlists=parse_playlist_refs(settings.playlists),
        recently_played=settings.recently_played,
        items_endpoint=settings.playlist_items_endpoint,
        max_entities=settings.max_entities,
        recent_max_pages=settings.recently_played_max_pages,
    )


def new_run(settings: ExtractorSettings) -> RunContext:
    now = datetime.now(UTC)
    return RunContext(
        run_id=f"{now:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}",
        started_at=now,
        bucket=settings.bucket,
    )


async def extract(settings: ExtractorSettings) -> RunReport:
    """Build the clients, run every source once, close everything."""
    run = new_run(settings)
    limits = httpx.Limits(max_connections=settings.concurrency + 2)
    async with (
        httpx.AsyncClient(timeout=settings.request_timeout, limits=limits) as http,
        s3_client(settings) as s3,
        sqs_client(settings) as sqs,
    ):
        tokens = TokenProvider(http, settings.spotify_accounts_url, credentials(settings))
        client = SpotifyClient(
            http,
            tokens,
            settings.spotify_api_url,
            RollingWindowLimiter(settings.rate_limit, settings.rate_window),
            settings.concurrency,
            RetryPolicy(
                max_attempts=settings.max_attempts, max_retry_after=settings.max_retry_after
            ),
        )
        store = S3Store(s3, settings.bucket)
        queue = await SqsQueue.resolve(sqs, settings.transform_queue)
        publisher = Publisher(store, queue, run)
        return await run_once(client, StateStore(store), publisher, plan_for(settings))


def log_report(report: RunReport) -> None:
    """Per-source events, then the one summary event carrying the run's metrics."""
    for outcome in report.outcomes:
        log.info(
            "extract.source.done",
            run_id=report.run_id,
            source=outcome.source,
            status=str(outcome.status),
            objects=outcome.objects,
            error=outcome.error,
        )
    counters = report.counters
    metrics = emf_fields(
        "extractor",
        {
            "SpotifyRequests": (counters.requests, "Count"),
            "SpotifyRateLimited": (counters.rate_limited, "Count"),
            "SpotifyServerErrors": (counters.server_errors, "Count"),
            "ObjectsWritten": (report.objects_written, "Count"),
            "MessagesSent": (report.messages_sent, "Count"),
            "SourcesFailed": (len(report.failures), "Count"),
            "RunDuration": (round(report.seconds, 3), "Seconds"),
        },
        int(time.time() * 1000),
    )
    event = log.info if report.ok else log.error
    event(
        "extract.run.summary",
        run_id=report.run_id,
        failures=[o.error for o in report.failures],
        **metrics,
    )


def run_once_command(settings: ExtractorSettings) -> int:
    try:
        report = asyncio.run(extract(settings))
    except SpotifyEtlError as error:
        log.error("extract.run.aborted", reason=error.reason)
        print(f"extractor: run aborted: {error.reason}", file=sys.stderr)
        return 1
    log_report(report)
    for line in report.summary_lines():
        print(line, file=sys.stderr)
    return 0 if report.ok else 1


async def _every(settings: ExtractorSettings, interval: float) -> int:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    while not stop.is_set():
        try:
            log_report(await extract(settings))
        except SpotifyEtlError as error:
            log.error("extract.run.aborted", reason=error.reason)
        log.info("extract.run.sleeping", seconds=interval)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), interval)
    return 0


def auth_command(port: int | None) -> int:
    try:
        settings = SpotifyAppSettings()
    except ValidationError as error:
        names = ", ".join(str(e["loc"][0]) for e in error.errors())
        print(f"configuration error: {names} missing or invalid", file=sys.stderr)
        return 2

    async def flow() -> str:
        async with httpx.AsyncClient(timeout=30) as http:
            return await authorize(
                http,
                settings.spotify_accounts_url,
                credentials(settings),
                scopes_for(bool(settings.playlists.strip()), settings.recently_played),
                settings.auth_port if port is None else port,
                lambda line: print(line, flush=True),
            )

    try:
        refresh_token = asyncio.run(flow())
    except SpotifyEtlError as error:
        print(f"extractor auth: {error.reason}", file=sys.stderr)
        return 1
    except TimeoutError:
        print("extractor auth: no answer from the browser in time; start again", file=sys.stderr)
        return 1
    print("Store this as the SPOTIFY_REFRESH_TOKEN secret:")
    print(f"SPOTIFY_REFRESH_TOKEN={refresh_token}", flush=True)
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="extractor", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("run-once", help="run every configured source once and exit")
    every = commands.add_parser("run", help="run every configured source repeatedly")
    every.add_argument("--every", type=parse_interval, default=3600.0, help="e.g. 1h, 30m")
    auth = commands.add_parser("auth", help="authorise a user once; prints the refresh token")
    auth.add_argument("--port", type=int, default=None, help="loopback port (0 = any free one)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "auth":
        return auth_command(args.port)
    settings = load_settings(ExtractorSettings)
    configure_logging("extractor", settings.log_level)
    if args.command == "run-once":
        return run_once_command(settings)
    return asyncio.run(_every(settings, args.every))


if __name__ == "__main__":
    sys.exit(main())

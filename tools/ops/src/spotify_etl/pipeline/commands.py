"""``spotify-etl run-local``: the main job on the embedded local stack (see
:mod:`spotify_etl.pipeline.parser` for the steps)."""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import boto3
import duckdb
from spotify_etl_common.aws import sqs_client
from spotify_etl_common.errors import SpotifyEtlError
from spotify_etl_common.settings import CommonSettings
from spotify_etl_common.sqs import SqsQueue
from spotify_etl_common.tables import TABLES
from spotify_etl_views import load_views

from spotify_etl.local.commands import StackError, ensure_local_stack
from spotify_etl.local.provision import LOCAL_REFRESH_TOKEN_SECRET, provision_refresh_token_secret
from spotify_etl.local.state import LocalStack, lake_dir, logs_dir, state_dir
from spotify_etl.pipeline.processes import (
    FakeSpotifyProcess,
    MissingEntryPoint,
    entry_point,
    start_fake_spotify,
    start_service,
    terminate,
)
from spotify_etl.pipeline.watch import watch
from spotify_etl.query.local_engine import connect_lake, run_query
from spotify_etl.query.output import render
from spotify_etl.query.target import choose_target, local_target


def say(message: str) -> None:
    print(f"==> {message}", file=sys.stderr, flush=True)


SERVICES = ("extractor", "transformer", "cataloger")


def run_local(args: argparse.Namespace) -> int:
    started = time.monotonic()
    try:
        for name in SERVICES[1:] if args.no_extract else (*SERVICES, "fake-spotify"):
            entry_point(name)
    except MissingEntryPoint as error:
        say(str(error))
        return 2
    say(f"opening the local stack: the lake is kept in {lake_dir(state_dir())}")
    try:
        stack = ensure_local_stack(say=say)
    except StackError as error:
        say(f"the local stack did not start: {error}")
        return 1
    os.environ.update(stack.env())  # this process's own clients (progress, queries) use it too
    logs = logs_dir(state_dir())
    logs.mkdir(parents=True, exist_ok=True)
    say(f"local stack: S3 on {stack.s3_endpoint}, the rest on {stack.endpoint}; logs in {logs}")
    env = stack.env() | {"SPOTIFY_ETL_LOG_LEVEL": os.environ.get("SPOTIFY_ETL_LOG_LEVEL", "INFO")}
    fake: FakeSpotifyProcess | None = None
    if args.no_extract:
        say("--no-extract: draining what is queued (no extractor, no fake Spotify)")
    elif os.environ.get("SPOTIFY_CLIENT_ID") and os.environ.get("SPOTIFY_CLIENT_SECRET"):
        say("Spotify credentials found in the environment: extracting from the real Spotify API")
    else:
        fake = start_fake_spotify(args.playlists, args.items, args.plays, logs / "fake-spotify.log")
        say(
            "no Spotify credentials set (SPOTIFY_CLIENT_ID/SPOTIFY_CLIENT_SECRET): using the "
            f"fake Spotify Web API at {fake.url} with {len(fake.playlists)} playlists"
        )
        env |= fake.env()
        # the fake user's refresh token in moto's Secrets Manager, as on AWS
        provision_refresh_token_secret(
            boto3.client("secretsmanager"),
            LOCAL_REFRESH_TOKEN_SECRET,
            env.pop("SPOTIFY_REFRESH_TOKEN"),
            datetime.now(UTC),
        )
        env["SPOTIFY_REFRESH_TOKEN_SECRET"] = LOCAL_REFRESH_TOKEN_SECRET
    try:
        return _pipeline(stack, env, logs, args.top, started, extract=not args.no_extract)
    finally:
        if fake is not None:
            fake.stop()


def _pipeline(
    stack: LocalStack, env: dict[str, str], logs: Path, top: int, started: float, *, extract: bool
) -> int:
    extractor = None
    if extract:
        say("extractor run-once")
        extractor = start_service(["extractor", "run-once"], env, logs / "extractor.log")
    workers = {
        name: start_service([name], env, logs / f"{name}.log")
        for name in ("transformer", "cataloger")
    }
    try:
        code = asyncio.run(_watch(stack, extractor, workers))
    finally:
        exits = {name: terminate(process) for name, process in workers.items()}
        if extractor is not None:
            terminate(extractor)
    for name, exit_code in exits.items():
        if exit_code != 0:
            say(f"{name} exited with {exit_code}; see {logs / (name + '.log')}")
            code = code or exit_code
    if extractor is not None and extractor.returncode != 0:
        say(f"extractor exited with {extractor.returncode}; see {logs / 'extractor.log'}")
        code = code or extractor.returncode
    if code == 0:
        _print_top(stack, top)
        _write_report(stack)
    say(
        f"done in {time.monotonic() - started:.1f}s; the local stack stays up: try "
        '`uv run spotify-etl query "SELECT * FROM songs LIMIT 10"`, `uv run spotify-etl views`, '
        "`uv run spotify-etl status`; stop it with `uv run spotify-etl local down` (the lake "
        "stays on disk: `uv run spotify-etl local status`)"
    )
    return code


async def _watch(
    stack: LocalStack,
    extractor: subprocess.Popen[bytes] | None,
    workers: dict[str, subprocess.Popen[bytes]],
) -> int:
    """Show progress until the extractor (if any) is done and both queues stay empty."""
    settings = CommonSettings.model_validate(stack.env())
    async with sqs_client(settings) as client:
        queues = {
            "transform": await SqsQueue.resolve(client, stack.names.transform_queue),
            "catalog": await SqsQueue.resolve(client, stack.names.catalog_queue),
        }
        dead = {n: await q.dead_letter_queue() for n, q in queues.items()}
        return await watch(queues, dead, extractor, workers, say)


def _print_top(stack: LocalStack, top: int) -> None:
    with connect_lake(local_target(stack.env(), "local stack"), TABLES, load_views()) as con:
        for title, sql in (
            ("top tracks", _top_sql("top_tracks", top)),
            ("top artists", _top_sql("top_artists", top)),
            ("your library", LIBRARY_SUMMARY_SQL),
            ("your top artists, last 4 weeks", _taste_sql(top)),
        ):
            rows = run_query(con, sql)
            print(f"\n{title}:\n{render('table', rows.columns, rows.rows)}", flush=True)


def _write_report(stack: LocalStack) -> None:
    """``spotify-etl report`` of the local stack into the state folder; its path and summary."""
    from spotify_etl.report.commands import write_report
    from spotify_etl.report.zones import choose_zone

    path = state_dir() / "report.html"
    try:
        say(
            write_report(
                choose_target({}, stack.env(), athena=False), path, choose_zone(None), None
            )
        )
    except (duckdb.Error, SpotifyEtlError, ValueError) as error:
        say(f"the report was not written ({error}); try `uv run spotify-etl report --out {path}`")


LIBRARY_SUMMARY_SQL = """
SELECT 'saved tracks' AS library, count(*) AS items, max(added_at) AS newest FROM library_tracks
UNION ALL SELECT 'saved albums', count(*), max(added_at) FROM library_albums
UNION ALL SELECT 'saved shows', count(*), max(added_at) FROM library_shows
UNION ALL SELECT 'followed artists', count(*), max(seen_at) FROM followed_artists_current
"""
"""What the library views hold now: one row per kind, with the newest save."""


def _taste_sql(top: int) -> str:
    """The newest short-term top artists snapshot, rank 1 first."""
    return (
        "SELECT rank, name FROM top_items_latest "
        "WHERE item_type = 'artist' AND time_range = 'short_term' "
        f"ORDER BY rank LIMIT {int(top)}"
    )


def _top_sql(view: str, top: int) -> str:
    """The first ``top`` rows of a top view, by playlist appearances, then plays."""
    return f"SELECT * FROM {view} ORDER BY appearance_rank, play_rank LIMIT {int(top)}"

"""``spotify-etl import-history [--user NAME] PATH...``: land the data export as raw objects,
one message each.

Reads the zip as downloaded, an extracted folder, or the JSON files; scrubs
every row before anything is written (:mod:`spotify_etl.history.scrub`); writes
bounded objects under ``raw/source=streaming_history/user=<uid>/`` with
content-derived keys (:mod:`spotify_etl.history.batches`) and sends one
``RawObjectWritten`` per object to the transform queue. Progress goes to
stderr, the count to stdout.

Whose export it is (:func:`whose`): ``--user NAME`` (the Spotify id from the
user's secret) or ``--user-id``; without either, the one configured user, and
with several configured the user must be named. With no user configured at all
(a lake of today's single-user settings) the objects carry no user
(``adopt-user`` gives them one). An export whose rows name another user
(``username``, older exports) is refused before anything is written.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from spotify_etl_common.aws import s3_client, secretsmanager_client, sqs_client
from spotify_etl_common.errors import SpotifyEtlError
from spotify_etl_common.keys import user_prefix
from spotify_etl_common.messages import EXTRACTED_AT_METADATA, raw_message
from spotify_etl_common.s3 import S3Store
from spotify_etl_common.sources import Source
from spotify_etl_common.sqs import OutgoingMessage, SqsQueue
from spotify_etl_common.zips import ZipRefused

from spotify_etl.history.batches import Chunk, Plan, Spool
from spotify_etl.history.files import NotAnExport
from spotify_etl.history.names import TrackIds, hand_over
from spotify_etl.history.owner import contradiction, several_users
from spotify_etl.history.parser import PREFIX
from spotify_etl.history.reading import ReadSummary, read_export
from spotify_etl.household.users import (
    Household,
    UserError,
    configured,
    secret_prefix,
    secrets_endpoint,
)
from spotify_etl.local.state import find_local_stack
from spotify_etl.settings import OpsSettings, effective_environment, load_ops_settings
from spotify_etl.terminal import Progress, progress

PUTS_AT_ONCE = 10
"""Objects uploaded concurrently; their messages are sent once all of them are stored."""


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


@dataclass(frozen=True)
class Owner:
    """The user an import lands under: Spotify id (None: no user configured) and how to say it."""

    user_id: str | None
    label: str


async def whose(
    user: str | None, user_id: str | None, env: Mapping[str, str], look_up: bool = True
) -> Owner:
    """The owner ``--user``/``--user-id`` name, else the one configured user (``look_up``:
    list the users' secrets); ``UserError`` when several are configured and none is named."""
    if user_id is not None:
        return Owner(user_id, user_id)
    if user is None and not look_up:
        return Owner(None, "")
    async with secretsmanager_client(secrets_endpoint(env)) as client:
        household = Household(client, secret_prefix(env))
        if user is None:
            names = await configured(household, env)
            if len(names) > 1:
                raise UserError(several_users(names))
            if not names:
                return Owner(None, "")
            user = names[0]
        found = await household.user(user)
    return Owner(found.id, f"{found.name} ({found.id})")


def run_import(args: argparse.Namespace) -> int:
    """Read, then (unless ``--dry-run``) write and announce; exit code."""
    # Settings first: a missing bucket or queue should not wait for the whole export to be read.
    settings = None if args.dry_run else load_ops_settings()
    with tempfile.TemporaryDirectory(prefix="spotify-etl-history-") as scratch:
        spool = Spool(Path(scratch))
        try:
            summary = read_export(args.paths, spool, _say)
        except (NotAnExport, ZipRefused) as error:
            print(f"import-history: {error}", file=sys.stderr)
            return 2
        if summary.files == 0:
            print(
                "import-history: no streaming history found in "
                f"{', '.join(map(str, args.paths))} ({len(summary.ignored)} other files "
                "ignored): pass the zip from Spotify's privacy page, its folder, or "
                "Streaming_History_*.json / StreamingHistory_music_*.json files",
                file=sys.stderr,
            )
            return 2
        env = effective_environment(os.environ, find_local_stack())
        try:  # once the files are known to be an export: a bad file needs no AWS to say so
            owner = asyncio.run(whose(args.user, args.user_id, env, look_up=settings is not None))
        except UserError as error:
            print(f"import-history: {error}", file=sys.stderr)
            return 2
        problem = (
            contradiction(summary.usernames, owner.user_id, args.user or owner.user_id)
            if owner.user_id is not None
            else None
        )
        if problem is not None:
            print(f"import-history: {problem}; nothing was written", file=sys.stderr)
            return 2
        plan = spool.plan(args.max_plays)
        prefix = _prefix(owner)
        if settings is None:
            counts = _counts(summary, plan)
            print(f"dry run: {counts}; would write {plan.objects} objects under {prefix}")
            return 0
        try:
            chunks = spool.chunks(args.max_plays, owner.user_id)
            written = asyncio.run(_land(settings, chunks, plan.objects))
        except SpotifyEtlError as error:
            print(
                f"import-history failed: {error.reason} (running it again is safe: "
                "the same objects are written under the same keys)",
                file=sys.stderr,
            )
            return 1
    print(
        f"imported {_counts(summary, plan)} into {written} objects under "
        f"s3://{settings.bucket}/{prefix}; {written} messages sent to {settings.transform_queue}"
    )
    return 0


def _prefix(owner: Owner) -> str:
    if owner.user_id is None:
        return PREFIX
    return user_prefix(Source.STREAMING_HISTORY, owner.user_id)


def _counts(summary: ReadSummary, plan: Plan) -> str:
    kinds = ", ".join(f"{kind} {n:,}" for kind, n in sorted(summary.plays.items()))
    parts = [f"{summary.total:,} plays ({kinds}) from {summary.files} files"]
    if summary.ignored:
        parts.append(f"{len(summary.ignored)} other files ignored")
    if summary.repeated:
        parts.append(f"{len(summary.repeated)} repeated files read once")
    if summary.total > plan.plays:
        parts.append(
            f"{summary.total - plan.plays:,} plays repeated by overlapping files kept once"
        )
    if summary.untimed:
        parts.append(f"{summary.untimed} rows without a time left out")
    if summary.unreadable:
        parts.append(f"{summary.unreadable} unreadable values left out")
    return "; ".join(parts)


async def _land(settings: OpsSettings, chunks: Iterable[Chunk], objects: int) -> int:
    run_id = "import-history-" + datetime.now(tz=UTC).strftime("%Y%m%dT%H%M%SZ")
    async with s3_client(settings) as s3, sqs_client(settings) as sqs:
        store = S3Store(s3, settings.bucket)
        queue = await SqsQueue.resolve(sqs, settings.transform_queue)
        names = TrackIds()
        shown = progress("import-history objects", objects)
        written = await land(store, queue, names.passing(chunks), shown, run_id)
        await hand_over(store, names.ids, _say)  # after the plays: the extractor fetches names
        return written


async def land(
    store: S3Store, queue: SqsQueue, chunks: Iterable[Chunk], progress: Progress, run_id: str
) -> int:
    """Store every chunk and send one message for each, ``PUTS_AT_ONCE`` at a time; how many.

    A failure stops it (the error propagates) with every message sent so far naming an
    object already stored; running the import again rewrites the same keys with the same
    bytes and sends their messages again, which the transformer turns into the same files.
    """
    written = 0
    group: list[Chunk] = []
    try:
        for chunk in chunks:
            group.append(chunk)
            if len(group) == PUTS_AT_ONCE:
                written += await _land_group(store, queue, group, run_id)
                progress.advance(len(group))
                group = []
        if group:
            written += await _land_group(store, queue, group, run_id)
            progress.advance(len(group))
    finally:
        progress.close()  # ends the progress line: an error starts a line of its own
    return written


async def _land_group(store: S3Store, queue: SqsQueue, group: list[Chunk], run_id: str) -> int:
    """Store every object of ``group``, then send their messages (never a message first)."""
    await asyncio.gather(
        *(
            store.put(c.key, c.body, metadata={EXTRACTED_AT_METADATA: c.last_played_at.isoformat()})
            for c in group
        )
    )
    messages = [raw_message(store.bucket, c.key, c.last_played_at, run_id) for c in group]
    await queue.send([OutgoingMessage.of(m) for m in messages])
    return len(group)

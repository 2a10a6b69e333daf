"""``spotify-etl dlq list|show|redrive --queue transform|catalog``."""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import TYPE_CHECKING, Any

from spotify_etl_common.aws import sqs_client
from spotify_etl_common.errors import SpotifyEtlError
from spotify_etl_common.sqs import SqsQueue
from spotify_etl_common.sqs_moves import MoveTask, MoveTasks
from spotify_etl_common.worker import resolve_queues

from spotify_etl.dlq.letters import (
    by_id,
    letters_json,
    render_list,
    render_reason_counts,
    render_show,
)
from spotify_etl.dlq.redrive import peek, redrive_by_copy, wait_move_task
from spotify_etl.settings import OpsSettings, load_ops_settings
from spotify_etl.terminal import progress

if TYPE_CHECKING:
    from types_aiobotocore_sqs import SQSClient

SHOW_SCAN_LIMIT = 1000
"""Most letters received while looking for one id."""


def _run(args: argparse.Namespace, action: Any) -> int:
    settings = load_ops_settings()
    try:
        code: int = asyncio.run(action(settings, args))
    except SpotifyEtlError as error:
        print(f"dlq {args.action} failed: {error.reason}", file=sys.stderr)
        return 1
    return code


def _work_queue_name(settings: OpsSettings, queue: str) -> str:
    return settings.transform_queue if queue == "transform" else settings.catalog_queue


def run_list(args: argparse.Namespace) -> int:
    return _run(args, _list)


def run_show(args: argparse.Namespace) -> int:
    return _run(args, _show)


def run_redrive(args: argparse.Namespace) -> int:
    if args.max is not None and args.max < 1:
        print("dlq redrive: --max must be at least 1", file=sys.stderr)
        return 2
    return _run(args, _redrive)


async def _list(settings: OpsSettings, args: argparse.Namespace) -> int:
    async with sqs_client(settings) as sqs:
        _, dlq = await resolve_queues(sqs, _work_queue_name(settings, args.queue))
        letters = await peek(dlq, args.limit)
        depth = await dlq.depth()
    print(letters_json(letters) if args.json else render_list(letters))
    if depth.visible + depth.in_flight > len(letters):
        print(
            f"showing {len(letters)} of about {depth.visible + depth.in_flight} letters in "
            f"{dlq.name} (--limit to see more)",
            file=sys.stderr,
        )
    return 0


async def _show(settings: OpsSettings, args: argparse.Namespace) -> int:
    async with sqs_client(settings) as sqs:
        _, dlq = await resolve_queues(sqs, _work_queue_name(settings, args.queue))
        letters = by_id(await peek(dlq, SHOW_SCAN_LIMIT))
    letter = letters.get(args.message_id)
    if letter is None:
        print(
            f"no dead letter {args.message_id} in {dlq.name} (looked at {len(letters)}): "
            "check the id with `spotify-etl dlq list`",
            file=sys.stderr,
        )
        return 1
    print(render_show(letter))
    return 0


async def _redrive(settings: OpsSettings, args: argparse.Namespace) -> int:
    async with sqs_client(settings) as sqs:
        work, dlq = await resolve_queues(sqs, _work_queue_name(settings, args.queue))
        depth = await dlq.depth()
        if args.dry_run:
            letters = await peek(dlq, args.max or depth.visible or 10)
            if letters:
                print(render_reason_counts(letters), file=sys.stderr)
            print(f"dry run: would move {len(letters)} letters from {dlq.name} to {work.name}")
            return 0
        if args.max is None:
            result = await _try_move_task(settings, sqs, dlq, work)
            if result is not None:
                return 0 if result.status == "COMPLETED" else 1
        total = min(args.max, depth.visible) if args.max else depth.visible
        shown = progress(f"redrive {dlq.name}", total)
        moved_count = await redrive_by_copy(
            dlq, work, max_messages=args.max, on_batch=shown.advance
        )
        shown.close()
    print(f"moved {moved_count} letters from {dlq.name} to {work.name}")
    return 0


async def _try_move_task(
    settings: OpsSettings, sqs: SQSClient, dlq: SqsQueue, work: SqsQueue
) -> MoveTask | None:
    """Redrive server-side; None when the endpoint lacks StartMessageMoveTask."""
    tasks = MoveTasks(sqs)
    dlq_arn, work_arn = await tasks.queue_arn(dlq), await tasks.queue_arn(work)
    async with sqs_client(settings, single_attempt=True) as probe:  # answers at once
        handle = await MoveTasks(probe).start(dlq_arn, work_arn)
    if handle is None:
        print(
            "StartMessageMoveTask is not available here: moving by receive/send/delete",
            file=sys.stderr,
        )
        return None
    print(f"move task started: {handle}", file=sys.stderr)
    result = await wait_move_task(tasks, dlq_arn)
    print(f"move task {result.status}: moved {result.moved} letters to {work.name}")
    if result.failure:
        print(f"failure: {result.failure}", file=sys.stderr)
    return result

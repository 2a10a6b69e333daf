"""``spotify-etl local up|down|env``: the embedded local stack over the lake on disk."""

from __future__ import annotations

import argparse
import os
import shlex
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import boto3
from spotify_etl_common.database import DATABASE_VARIABLE, DEFAULT_DATABASE

from spotify_etl.local import grants as kept
from spotify_etl.local.lake import disk_usage, human_size, secrets
from spotify_etl.local.provision import StackNames, provision
from spotify_etl.local.reopen import reopen
from spotify_etl.local.seaweed import MissingWeed, WeedNotReady, s3_answers, start_weed
from spotify_etl.local.server import free_port, is_ready, start_moto, stop_processes
from spotify_etl.local.state import (
    CREDENTIALS,
    REGION,
    LocalStack,
    find_local_stack,
    grants_file,
    lake_dir,
    logs_dir,
    private_state_dir,
    state_dir,
)

STOP_TIMEOUT = 30.0
"""Seconds ``local down`` waits for the servers (SeaweedFS takes about 17) before SIGKILL."""
EXIT_FAILED = 1


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


class StackError(RuntimeError):
    """The local stack could not start; the message says why and what to do."""


def _session() -> boto3.session.Session:
    return boto3.session.Session(
        aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        region_name=REGION,
    )


def _running(stack: LocalStack | None) -> bool:
    key, secret = CREDENTIALS["AWS_ACCESS_KEY_ID"], CREDENTIALS["AWS_SECRET_ACCESS_KEY"]
    return (
        stack is not None
        and bool(stack.s3_endpoint)
        and is_ready(stack.endpoint)
        and s3_answers(stack.s3_endpoint, key, secret)
    )


def _start(directory: Path, port: int) -> LocalStack:
    """Start SeaweedFS over the lake, then moto with the kept secrets; record the stack."""
    grants = grants_file(directory)
    kept.read_grants(grants)  # a bad file stops us here, with its one-line reason
    logs = logs_dir(directory)
    key, secret = CREDENTIALS["AWS_ACCESS_KEY_ID"], CREDENTIALS["AWS_SECRET_ACCESS_KEY"]
    s3_pid, s3_endpoint = start_weed(lake_dir(directory), logs / "weed.log", key, secret)
    chosen = port or free_port()
    try:
        pid = start_moto(chosen, logs / "moto.log", grants)
    except RuntimeError:
        stop_processes([s3_pid], STOP_TIMEOUT)
        raise
    stack = LocalStack(
        pid=pid,
        endpoint=f"http://127.0.0.1:{chosen}",
        names=StackNames(),
        log_file=str(logs / "moto.log"),
        s3_pid=s3_pid,
        s3_endpoint=s3_endpoint,
    )
    stack.save(directory)
    return stack


def ensure_local_stack(port: int = 0, say: Callable[[str], None] = _say) -> LocalStack:
    """The running local stack, started over the lake and provisioned if needed (idempotent).

    On a stack just started, the lake is reopened once: its tables registered in
    the Glue catalog again and the work lost with the queues announced again.
    The process environment gets the stack's variables (its clients use them).
    """
    directory = private_state_dir()
    stack = find_local_stack()
    if not _running(stack):
        leftover = LocalStack.load(directory)  # a server of a stack half gone, or of an old one
        if leftover is not None:
            stop_processes(leftover.pids, STOP_TIMEOUT)
        started = time.monotonic()
        try:
            stack = _start(directory, port)
        except (kept.GrantsError, MissingWeed, WeedNotReady, RuntimeError) as error:
            raise StackError(str(error)) from None
        say(f"local stack started in {time.monotonic() - started:.1f}s")
    assert stack is not None
    os.environ.update(stack.env())
    session = _session()
    provision(
        session.client("s3", endpoint_url=stack.s3_endpoint),
        session.client("sqs", endpoint_url=stack.endpoint),
        stack.names,
        REGION,
    )
    if not stack.reopened:
        started = time.monotonic()
        database = os.environ.get(DATABASE_VARIABLE, DEFAULT_DATABASE)
        try:
            done = reopen(stack.env(), database)
        except Exception as error:  # S3, SQS, Glue or Iceberg: one line, and up tries again
            raise StackError(
                f"the lake could not be reopened ({type(error).__name__}: {error}); the stack "
                "runs and `spotify-etl local up` tries again"
            ) from error
        stack = replace(stack, reopened=True)
        stack.save(directory)
        tables = ", ".join(done.tables) or "none yet"
        say(
            f"lake reopened in {time.monotonic() - started:.1f}s: tables registered in Glue "
            f"database {database}: {tables}; announced again: {done.raw} raw objects, "
            f"{done.files} curated files"
        )
    return stack


def export_lines(stack: LocalStack) -> str:
    """Shell ``export`` lines for the stack's environment."""
    return "\n".join(f"export {k}={shlex.quote(v)}" for k, v in stack.env().items())


def run_up(args: argparse.Namespace) -> int:
    try:
        stack = ensure_local_stack(args.port)
    except StackError as error:
        _say(f"local up: {error}")
        return EXIT_FAILED
    _say(
        f"# local stack: S3 (SeaweedFS) on {stack.s3_endpoint} (pid {stack.s3_pid}), the rest "
        f"(moto) on {stack.endpoint} (pid {stack.pid}); the lake is in "
        f"{lake_dir(state_dir())}; stop it with: spotify-etl local down"
    )
    print(export_lines(stack))
    return 0


def save_grants(stack: LocalStack) -> int | None:
    """Write the stack's secrets to the grants file; how many (None: moto does not answer)."""
    if not is_ready(stack.endpoint):
        return None
    client = _session().client("secretsmanager", endpoint_url=stack.endpoint)
    return kept.save(client, grants_file(state_dir()))


def stop_stack(stack: LocalStack) -> None:
    """Save the grants, stop both servers (the lake stays), forget the stack."""
    saved = save_grants(stack)
    if saved is not None:
        _say(f"kept {secrets(saved)} in {grants_file(state_dir())}")
    stop_processes(stack.pids, STOP_TIMEOUT)
    (state_dir() / "local.json").unlink(missing_ok=True)


def run_down(args: argparse.Namespace) -> int:
    stack = LocalStack.load(state_dir())
    if stack is None:
        _say("no local stack is running")
        return 0
    _say("stopping the local stack (SeaweedFS takes about 15 s to stop cleanly)")
    stop_stack(stack)
    lake = lake_dir(state_dir())
    _say(
        f"stopped the local stack on {stack.endpoint}; the lake stays in {lake} "
        f"({human_size(disk_usage(lake))}): `spotify-etl local up` (or `make run`) opens it "
        "again, `spotify-etl local purge` deletes it"
    )
    return 0


def run_env(args: argparse.Namespace) -> int:
    stack = find_local_stack()
    if stack is None:
        _say("no local stack is running: start one with `spotify-etl local up`")
        return 1
    print(export_lines(stack))
    return 0

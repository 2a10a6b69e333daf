"""``spotify-etl local status|purge``: where the lake is and how big, and deleting it.

Light: neither reads the lake through S3, so neither loads an AWS client
unless ``purge`` has a running stack to stop first.
"""

from __future__ import annotations

import argparse
import sys

from spotify_etl.local import grants as kept
from spotify_etl.local.lake import disk_usage, human_size, purge, secrets
from spotify_etl.local.state import (
    LocalStack,
    find_local_stack,
    grants_file,
    lake_dir,
    logs_dir,
    state_dir,
)

EXIT_DECLINED = 1
EXIT_USAGE = 2


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def run_status(args: argparse.Namespace) -> int:
    directory = state_dir()
    lake, grants = lake_dir(directory), grants_file(directory)
    stack = find_local_stack()
    print(f"lake: {lake} ({human_size(disk_usage(lake))} on disk)")
    try:
        count = len(kept.read_grants(grants).secrets)
        print(f"grants: {secrets(count)} kept in {grants}" if count else "grants: none kept")
    except kept.GrantsError as error:
        print(f"grants: {error}")
    if stack is None:
        print("stack: not running (`spotify-etl local up` or `make run` opens the lake)")
    else:
        print(f"stack: running, S3 on {stack.s3_endpoint}, the rest on {stack.endpoint}")
    print(f"logs: {logs_dir(directory)}")
    return 0


def run_purge(args: argparse.Namespace) -> int:
    directory = state_dir()
    lake = lake_dir(directory)
    if not lake.exists():
        _say(f"no lake at {lake}")
        return 0
    size = human_size(disk_usage(lake))
    if not args.yes:
        if not sys.stdin.isatty():
            _say(f"local purge: would delete the lake at {lake} ({size}); pass --yes to confirm")
            return EXIT_USAGE
        answer = input(
            f"delete the lake at {lake} ({size})? every raw response, table and cursor in it "
            "is lost [y/N] "
        )
        if answer.strip().lower() not in {"y", "yes"}:
            _say("kept the lake")
            return EXIT_DECLINED
    stack = LocalStack.load(directory)
    if stack is not None:
        from spotify_etl.local.commands import stop_stack

        _say("stopping the local stack first")
        stop_stack(stack)
    purge(lake)
    _say(f"deleted the lake at {lake} ({size}); the grants in {grants_file(directory)} are kept")
    return 0

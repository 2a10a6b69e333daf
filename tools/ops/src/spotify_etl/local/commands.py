"""``spotify-etl local up|down|env``: the embedded local stack."""

from __future__ import annotations

import argparse
import shlex
import sys

import boto3

from spotify_etl.local.provision import StackNames, provision
from spotify_etl.local.server import free_port, is_ready, start_moto, stop_process
from spotify_etl.local.state import CREDENTIALS, REGION, LocalStack, find_local_stack, state_dir


def ensure_local_stack(port: int = 0) -> LocalStack:
    """The running local stack, started and provisioned if needed (idempotent)."""
    stack = find_local_stack()
    if stack is None or not is_ready(stack.endpoint):
        if stack is not None:
            stop_process(stack.pid)
        directory = state_dir()
        log_file = directory / "moto.log"
        chosen = port or free_port()
        pid = start_moto(chosen, log_file)
        stack = LocalStack(
            pid=pid,
            endpoint=f"http://127.0.0.1:{chosen}",
            names=StackNames(),
            log_file=str(log_file),
        )
        stack.save(directory)
    session = boto3.session.Session(
        aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        region_name=REGION,
    )
    provision(
        session.client("s3", endpoint_url=stack.endpoint),
        session.client("sqs", endpoint_url=stack.endpoint),
        stack.names,
        REGION,
    )
    return stack


def export_lines(stack: LocalStack) -> str:
    """Shell ``export`` lines for the stack's environment."""
    return "\n".join(f"export {k}={shlex.quote(v)}" for k, v in stack.env().items())


def run_up(args: argparse.Namespace) -> int:
    stack = ensure_local_stack(args.port)
    print(
        f"# local stack on {stack.endpoint} (pid {stack.pid}); "
        "stop it with: spotify-etl local down",
        file=sys.stderr,
    )
    print(export_lines(stack))
    return 0


def run_down(args: argparse.Namespace) -> int:
    stack = find_local_stack()
    if stack is None:
        print("no local stack is running", file=sys.stderr)
        return 0
    stop_process(stack.pid)
    (state_dir() / "local.json").unlink(missing_ok=True)
    print(f"stopped the local stack on {stack.endpoint}", file=sys.stderr)
    return 0


def run_env(args: argparse.Namespace) -> int:
    stack = find_local_stack()
    if stack is None:
        print("no local stack is running: start one with `spotify-etl local up`", file=sys.stderr)
        return 1
    print(export_lines(stack))
    return 0

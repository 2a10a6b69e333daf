"""Extractor pacing against the fake Spotify's rolling-window rate limit.

Usage: uv run python -m bench.extractor_bench [--playlists 8] [--items 500]
       [--rate-limit 60] [--window 6] [--error-rate 0.05] [--client-fraction 0.95]

The fake Spotify and the moto server run as separate processes (in production
Spotify and S3 are not in the extractor's process either). The fake allows
``rate-limit`` requests per rolling ``window`` seconds. A short window
simulates Spotify's 30-second one faster (window 6 = 5x time scale);
rates are reported as a fraction of rate-limit/window, which does not depend on
the scale. Each scenario runs ``extractor run-once`` in-process (fresh moto
stack, fresh fake) and checks that every playlist item reached S3 and every
object got one transform message:

1. client limiter at client-fraction x the fake's limit, no injected errors
2. the same with ``error-rate`` injected 5xx
3. client limiter off (10x the fake's limit): bouncing off the 429s instead
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import socket
import subprocess
import sys
import time
from bisect import bisect_left
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import boto3
import httpx
import structlog
from extractor.main import extract
from extractor.settings import ExtractorSettings
from spotify_etl.local.provision import StackNames, provision
from spotify_etl_common.messages import RawObjectWritten, Source

REGION = "us-east-1"


@dataclass(frozen=True)
class Scenario:
    name: str
    error_rate: float
    client_limit: int


@dataclass(frozen=True)
class Figures:
    scenario: str
    requests: int
    seconds: float
    fraction: float
    full_windows: float
    """Mean requests per full window (the last, partial one left out) / rate limit."""
    busiest_window: int
    rate_limited: int
    server_errors: int
    pages_expected: int
    pages_lost: int
    items_lost: int
    objects: int
    messages: int
    failures: int
    timeline: list[int]


def per_window(arrivals: list[float], window: float) -> list[int]:
    """Requests received in consecutive windows from the first request."""
    if not arrivals:
        return []
    start = min(arrivals)
    counts = [0] * (int((max(arrivals) - start) // window) + 1)
    for t in arrivals:
        counts[int((t - start) // window)] += 1
    return counts


def full_window_rate(arrivals: list[float], window: float) -> float:
    """Mean requests per window over the full windows from the first request."""
    counts = per_window(arrivals, window)
    full = counts[:-1] or counts
    return sum(full) / len(full) if full else 0.0


def busiest_window(arrivals: list[float], window: float) -> int:
    """Most requests received in any rolling window."""
    ordered = sorted(arrivals)
    return max((i - bisect_left(ordered, t - window) + 1 for i, t in enumerate(ordered)), default=0)


def drain(sqs, url: str) -> list[RawObjectWritten]:  # type: ignore[no-untyped-def]
    messages: list[RawObjectWritten] = []
    while True:
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0)
        batch = got.get("Messages", [])
        if not batch:
            return messages
        messages += [RawObjectWritten.model_validate_json(m["Body"]) for m in batch]
        sqs.delete_message_batch(
            QueueUrl=url,
            Entries=[
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(batch)
            ],
        )


@contextmanager
def fake_spotify(args: argparse.Namespace, error_rate: float) -> Iterator[tuple[str, str]]:
    """``fake-spotify serve`` in its own process; yields its URL and playlist ids."""
    command = [
        sys.executable, "-m", "fake_spotify.main", "serve",
        "--playlists", str(args.playlists), "--items", str(args.items), "--plays", "0",
        "--rate-limit", str(args.rate_limit), "--window", str(args.window),
        "--error-rate", str(error_rate), "--seed", "7",
    ]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        found = dict(process.stdout.readline().strip().split("=", 1) for _ in range(2))
        yield found["FAKE_SPOTIFY_URL"], found["FAKE_SPOTIFY_PLAYLISTS"]
    finally:
        process.terminate()
        process.wait(timeout=10)


@contextmanager
def moto_server() -> Iterator[str]:
    """A moto server in its own process; yields its endpoint."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    endpoint = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                httpx.get(f"{endpoint}/moto-api/", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        yield endpoint
    finally:
        process.terminate()
        process.wait(timeout=10)


def run(args: argparse.Namespace, endpoint: str, scenario: Scenario) -> Figures:
    s3 = boto3.client("s3", endpoint_url=endpoint, region_name=REGION)
    sqs = boto3.client("sqs", endpoint_url=endpoint, region_name=REGION)
    names = StackNames.unique("bench")
    urls = provision(s3, sqs, names, REGION).queue_urls
    with fake_spotify(args, scenario.error_rate) as (url, playlists):
        settings = ExtractorSettings(
            bucket=names.bucket,
            transform_queue=names.transform_queue,
            catalog_queue=names.catalog_queue,
            aws_endpoint_url=endpoint,
            spotify_client_id="fake-client-id",
            spotify_client_secret="fake-client-secret",
            spotify_refresh_token="fake-refresh-token",
            spotify_api_url=f"{url}/v1",
            spotify_accounts_url=url,
            playlists=playlists,
            rate_limit=scenario.client_limit,
            rate_window=args.window,
            concurrency=args.concurrency,
            max_entities=args.entities,
            max_attempts=8,
        )
        report = asyncio.run(extract(settings))
        stats = httpx.get(f"{url}/fake/stats").json()
    arrivals: list[float] = stats["arrivals"]
    span = max(arrivals) - min(arrivals) if len(arrivals) > 1 else 1.0
    pages_expected = args.playlists * -(-args.items // 50)
    pages = items = 0
    paginator = s3.get_paginator("list_objects_v2")
    prefix = f"raw/source={Source.PLAYLIST_ITEMS}/"
    for page in paginator.paginate(Bucket=names.bucket, Prefix=prefix):
        for obj in page.get("Contents", []):
            body = json.loads(s3.get_object(Bucket=names.bucket, Key=obj["Key"])["Body"].read())
            pages += 1
            items += len(body["items"])
    messages = drain(sqs, urls[names.transform_queue])
    return Figures(
        scenario=scenario.name,
        requests=len(arrivals),
        seconds=span,
        fraction=(len(arrivals) - 1) / span / (args.rate_limit / args.window),
        full_windows=full_window_rate(arrivals, args.window) / args.rate_limit,
        busiest_window=busiest_window(arrivals, args.window),
        rate_limited=stats.get("rate_limited", 0),
        server_errors=stats.get("injected_errors", 0),
        pages_expected=pages_expected,
        pages_lost=pages_expected - pages,
        items_lost=args.playlists * args.items - items,
        objects=report.objects_written,
        messages=len({m.key for m in messages}),
        failures=len(report.failures),
        timeline=per_window(arrivals, args.window),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--playlists", type=int, default=8)
    parser.add_argument("--items", type=int, default=500)
    parser.add_argument("--rate-limit", type=int, default=60, help="fake: requests per window")
    parser.add_argument("--window", type=float, default=6.0, help="fake: rolling window, s")
    parser.add_argument("--error-rate", type=float, default=0.05)
    parser.add_argument("--client-fraction", type=float, default=0.95)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--entities", type=int, default=100, help="EXTRACTOR_MAX_ENTITIES")
    parser.add_argument("--timeline", action="store_true", help="requests per window, per run")
    parser.add_argument(
        "--scenarios", default="paced,errors,off", help="comma-separated: paced, errors, off"
    )
    args = parser.parse_args()
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": REGION,
    }.items():
        os.environ.setdefault(key, value)
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    client_limit = int(args.rate_limit * args.client_fraction)
    known = {
        "paced": Scenario("paced", 0.0, client_limit),
        "errors": Scenario(f"paced, {args.error_rate:.0%} 5xx", args.error_rate, client_limit),
        "off": Scenario("limiter off", 0.0, args.rate_limit * 10),
    }
    scenarios = [known[name.strip()] for name in args.scenarios.split(",")]
    print(
        f"fake limit {args.rate_limit} req / {args.window:g} s "
        f"(= {args.rate_limit / args.window:.1f} req/s; 30 s scale x{30 / args.window:g}), "
        f"client limit {client_limit}, "
        f"{args.playlists} playlists x {args.items} items, concurrency {args.concurrency}\n"
    )
    print(
        "| scenario | requests | seconds | rate / limit | full windows / limit | busiest window "
        "| 429s | 5xx | "
        "pages | pages lost | items lost | objects | messages | failed sources |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    timelines: list[tuple[str, list[int]]] = []
    with moto_server() as endpoint:
        for scenario in scenarios:
            f = run(args, endpoint, scenario)
            print(
                f"| {f.scenario} | {f.requests} | {f.seconds:.1f} | {f.fraction:.2f} | "
                f"{f.full_windows:.2f} | "
                f"{f.busiest_window}/{args.rate_limit} | {f.rate_limited} | {f.server_errors} | "
                f"{f.pages_expected} | {f.pages_lost} | {f.items_lost} | {f.objects} | "
                f"{f.messages} | {f.failures} |",
                flush=True,
            )
            timelines.append((f.scenario, f.timeline))
    if args.timeline:
        for name, counts in timelines:
            print(f"{name}: requests per {args.window:g} s window: {counts}")


if __name__ == "__main__":
    main()

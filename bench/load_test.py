"""Load test: N raw playlist pages through the transform queue with 1, 2 and 4 transformers.

    uv run python bench/load_test.py [--objects 5000] [--processes 1,2,4] [--items 50]

Generates ``--objects`` realistic raw playlist-item pages (both item shapes,
episodes, local files, null tracks; ids repeat across pages), and computes the
rows each curated table must hold from what it generated, independently of the
transformer. Then, for each process count, on a fresh local stack:

1. starts two moto servers, one for S3 and one for SQS (``AWS_ENDPOINT_URL_S3``
   / ``_SQS``), so the emulator can use both cores (``--one-moto`` for one);
2. uploads the pages, provisions the bucket and queues with their DLQs;
3. starts N ``transformer`` processes and feeds the transform queue in a window
   of ``FEED_WINDOW`` messages, pausing while the catalog queue holds more than
   ``CATALOG_BACKLOG`` (moto's every SQS call costs time in proportion to the
   queue's length; real SQS has no such cost);
4. consumes the catalog queue as the cataloger would, counting the messages;
5. times until the transform queue is empty, then reads every curated Parquet
   file back with Polars and checks that no row is missing and none is
   duplicated (natural keys per raw object), and that the DLQ is empty.

Prints two markdown tables: throughput per process count, and where the CPU
went (transformers against the moto servers). Objects/s and rows/s are over the
drain time (first message taken to empty queue); the wall time with process
start-up is beside it. On a small machine the emulator takes more CPU than the
transformers, so the CPU table is what tells the transformer's own cost.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import resource
import shutil
import string
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import polars as pl
import psutil
from spotify_etl.local.provision import StackNames, provision
from spotify_etl.local.server import free_port, start_moto, stop_process
from spotify_etl.local.state import CREDENTIALS, REGION
from spotify_etl_common.keys import playlist_items_key
from spotify_etl_common.messages import RawObjectWritten, Source

EXTRACTED_AT = datetime(2026, 11, 24, 1, 0, tzinfo=UTC)
PAGES_PER_PLAYLIST = 20
THREADS = 16
VISIBILITY = 10
"""Visibility timeout of the load queues: a message whose receive answer is lost (an
overloaded server) comes back after it, while the workers still run (idle exit is 2x)."""
_B62 = string.ascii_letters + string.digits

# -- raw pages ---------------------------------------------------------------


def _id(rng: random.Random) -> str:
    return "".join(rng.choices(_B62, k=22))


def _artist(artist_id: str, name: str) -> dict[str, Any]:
    return {
        "external_urls": {"spotify": f"https://open.spotify.com/artist/{artist_id}"},
        "href": f"https://api.spotify.com/v1/artists/{artist_id}",
        "id": artist_id,
        "name": name,
        "type": "artist",
        "uri": f"spotify:artist:{artist_id}",
    }


@dataclass
class Catalog:
    """Artists, albums and tracks the pages draw from, so ids repeat across pages."""

    tracks: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def build(cls, rng: random.Random, size: int) -> Catalog:
        artists = [_artist(_id(rng), f"Artist {i}") for i in range(max(10, size // 6))]
        albums: list[dict[str, Any]] = []
        for i in range(max(5, size // 4)):
            album_id = _id(rng)
            precision = rng.choices(["day", "month", "year"], weights=[90, 5, 5])[0]
            release = {"day": "2019-04-30", "month": "2019-04", "year": "2019"}[precision]
            albums.append(
                {
                    "album_type": rng.choice(["album", "single", "compilation"]),
                    "artists": rng.sample(artists, k=rng.choice([1, 1, 2])),
                    "external_urls": {"spotify": f"https://open.spotify.com/album/{album_id}"},
                    "id": album_id,
                    "name": f"Album {i}",
                    "release_date": release,
                    "release_date_precision": precision,
                    "total_tracks": rng.randint(1, 20),
                    "type": "album",
                    "uri": f"spotify:album:{album_id}",
                }
            )
        catalog = cls()
        for i in range(size):
            track_id = _id(rng)
            album = rng.choice(albums)
            extra = [
                a
                for a in rng.sample(artists, k=rng.choice([0, 0, 0, 1, 2]))
                if a not in album["artists"][:1]
            ]
            track: dict[str, Any] = {
                "album": album,
                "artists": [*album["artists"][:1], *extra],
                "disc_number": 1,
                "duration_ms": rng.randint(60_000, 600_000),
                "explicit": rng.random() < 0.2,
                "external_ids": {"isrc": "US" + "".join(rng.choices(string.digits, k=10))},
                "external_urls": {"spotify": f"https://open.spotify.com/track/{track_id}"},
                "id": track_id,
                "is_local": False,
                "name": f"Track {i} - Ünïcode",
                "track_number": 1 + i % 12,
                "type": "track",
                "uri": f"spotify:track:{track_id}",
            }
            if rng.random() > 0.1:
                track["popularity"] = rng.randint(0, 100)
            catalog.tracks.append(track)
        return catalog


def _episode(rng: random.Random) -> dict[str, Any]:
    episode_id = _id(rng)
    return {
        "duration_ms": 2_249_560,
        "explicit": False,
        "id": episode_id,
        "name": "An episode",
        "release_date": "2022-05-18",
        "release_date_precision": "day",
        "show": {"id": "2VRS1IJCTn2Nlkg33ZVfkM", "name": "99% Invisible", "type": "show"},
        "type": "episode",
        "uri": f"spotify:episode:{episode_id}",
    }


def _local(position: int) -> dict[str, Any]:
    return {
        "album": {"album_type": None, "artists": [], "id": None, "name": "", "type": "album"},
        "artists": [{"id": None, "name": "Local Artist", "type": "artist", "uri": None}],
        "duration_ms": 215_000,
        "id": None,
        "is_local": True,
        "name": f"My Recording {position}",
        "type": "track",
        "uri": f"spotify:local:Artist:Album:My+Recording+{position}:215",
    }


@dataclass
class Expected:
    """Rows the curated tables must hold, computed from the generated pages."""

    rows: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys(
            ("playlist_items", "tracks", "albums", "artists", "track_artists"), 0
        )
    )

    def add_page(self, entities: Sequence[dict[str, Any] | None]) -> None:
        self.rows["playlist_items"] += len(entities)
        tracks = {
            e["id"]: e
            for e in entities
            if e is not None and e.get("type") == "track" and not e.get("is_local")
        }
        self.rows["tracks"] += len(tracks)
        self.rows["track_artists"] += sum(len(t["artists"]) for t in tracks.values())
        self.rows["albums"] += len({t["album"]["id"] for t in tracks.values()})
        self.rows["artists"] += len(
            {a["id"] for t in tracks.values() for a in (*t["artists"], *t["album"]["artists"])}
        )


def generate(objects: int, items: int, seed: int = 7) -> tuple[dict[str, bytes], Expected]:
    """``objects`` pages of ``items`` playlist items each, keyed like the extractor's."""
    rng = random.Random(seed)
    catalog = Catalog.build(rng, max(50, objects * items // 20))
    pages: dict[str, bytes] = {}
    expected = Expected()
    for number in range(objects):
        playlist, page = divmod(number, PAGES_PER_PLAYLIST)
        playlist_id = f"pl{playlist:06d}" + "x" * 14
        new_shape = playlist % 2 == 1
        entities: list[dict[str, Any] | None] = []
        for position in range(items):
            roll = rng.random()
            if roll < 0.01:
                entities.append(None)
            elif roll < 0.02:
                entities.append(_local(position))
            elif roll < 0.04:
                entities.append(_episode(rng))
            else:
                entities.append(rng.choice(catalog.tracks))
        expected.add_page(entities)
        endpoint = "items" if new_shape else "tracks"
        body = {
            "href": f"https://api.spotify.com/v1/playlists/{playlist_id}/{endpoint}"
            f"?offset={page * items}&limit={items}",
            "items": [
                {
                    "added_at": f"2024-{1 + position % 12:02d}-1{position % 10}T10:00:00Z",
                    "added_by": {"id": "ana", "type": "user", "uri": "spotify:user:ana"},
                    "is_local": bool(e and e.get("is_local")),
                    **({"item": e, "track": e} if new_shape else {"track": e}),
                }
                for position, e in enumerate(entities)
            ],
            "limit": items,
            "next": None,
            "offset": page * items,
            "previous": None,
            "total": PAGES_PER_PLAYLIST * items,
        }
        key = playlist_items_key(playlist_id, f"snap{playlist % 7}", page)
        pages[key] = json.dumps(body, ensure_ascii=False).encode()
    return pages, expected


# -- the local stack ---------------------------------------------------------


@dataclass
class Stack:
    """The moto servers of one run: one for S3 and one for SQS, or one for both."""

    s3_pid: int
    s3_endpoint: str
    sqs_pid: int
    sqs_endpoint: str

    @classmethod
    def start(cls, log_dir: Path, label: str, split: bool) -> Stack:
        port = free_port()
        s3_pid = start_moto(port, log_dir / f"moto-{label}-s3.log")
        s3_endpoint = f"http://127.0.0.1:{port}"
        if not split:
            return cls(s3_pid, s3_endpoint, s3_pid, s3_endpoint)
        port = free_port()
        try:
            sqs_pid = start_moto(port, log_dir / f"moto-{label}-sqs.log")
        except Exception:
            stop_process(s3_pid)
            raise
        return cls(s3_pid, s3_endpoint, sqs_pid, f"http://127.0.0.1:{port}")

    @property
    def pids(self) -> list[int]:
        return sorted({self.s3_pid, self.sqs_pid})

    def stop(self) -> None:
        for pid in self.pids:
            stop_process(pid)

    def client(self, service: str) -> Any:
        return boto3.client(  # type: ignore[call-overload]
            service,
            endpoint_url=self.sqs_endpoint if service == "sqs" else self.s3_endpoint,
            region_name=REGION,
            aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        )

    def env(self, names: StackNames) -> dict[str, str]:
        return {
            "AWS_ENDPOINT_URL": self.s3_endpoint,
            "AWS_ENDPOINT_URL_S3": self.s3_endpoint,
            "AWS_ENDPOINT_URL_SQS": self.sqs_endpoint,
            "AWS_REGION": REGION,
            "AWS_DEFAULT_REGION": REGION,
            **CREDENTIALS,
            "SPOTIFY_ETL_BUCKET": names.bucket,
            "SPOTIFY_ETL_TRANSFORM_QUEUE": names.transform_queue,
            "SPOTIFY_ETL_CATALOG_QUEUE": names.catalog_queue,
        }


def parallel(work: Callable[[Any], Any], items: Iterable[Any]) -> list[Any]:
    with ThreadPoolExecutor(THREADS) as pool:
        return list(pool.map(work, items))


def chunks(items: Sequence[Any], size: int) -> list[Sequence[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


FEED_WINDOW = 100
"""Most messages on the transform queue at once, topped up when it falls to REFILL_AT.

moto computes every queue attribute, each a scan of the whole queue, once per
message it receives or sends, so each SQS call costs time in proportion to the
queue's length (profiled with py-spy: 75% of the SQS server's samples). A short
queue keeps the emulator out of the figures; 100 still keeps 4 transformers with
10 messages in flight each supplied (real SQS has no such cost)."""
REFILL_AT = 2 * FEED_WINDOW // 3
CATALOG_BACKLOG = 50
"""Feeding pauses while the catalog queue holds more than this: back-pressure that
keeps moto's cost per call (in proportion to queue length) from running away when
many transformers outnumber the catalog drain on the emulator's one core."""
PROGRESS_EVERY = 15.0
"""Seconds between progress lines on stderr."""


def upload(stack: Stack, bucket: str, pages: dict[str, bytes]) -> None:
    s3 = stack.client("s3")
    s3.create_bucket(Bucket=bucket)
    parallel(lambda kv: s3.put_object(Bucket=bucket, Key=kv[0], Body=kv[1]), pages.items())


def enqueue(stack: Stack, queue_url: str, raw_bucket: str, keys: Sequence[str]) -> None:
    sqs = stack.client("sqs")

    def send(batch: Sequence[str]) -> None:
        entries = []
        for i, key in enumerate(batch):
            page = int(key.rsplit("page=", 1)[1].removesuffix(".json"))
            playlist = key.split("playlist_id=", 1)[1].split("/", 1)[0]
            snapshot = key.split("snapshot_id=", 1)[1].split("/", 1)[0]
            message = RawObjectWritten(
                bucket=raw_bucket,
                key=key,
                source=Source.PLAYLIST_ITEMS,
                entity_id=playlist,
                snapshot_id=snapshot,
                page=page,
                run_id="load-test",
                extracted_at=EXTRACTED_AT,
            )
            entries.append({"Id": str(i), "MessageBody": message.model_dump_json()})
        failed = sqs.send_message_batch(QueueUrl=queue_url, Entries=entries).get("Failed")
        if failed:
            raise RuntimeError(f"enqueue failed: {failed[:1]}")

    parallel(send, chunks(keys, 10))


def depth(sqs: Any, url: str) -> int:
    attrs = sqs.get_queue_attributes(
        QueueUrl=url,
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return int(attrs["ApproximateNumberOfMessages"]) + int(
        attrs["ApproximateNumberOfMessagesNotVisible"]
    )


def handled_counts(logs: Iterable[Path]) -> tuple[int, int]:
    """Handled messages and redelivered ones, from the workers' JSON summary lines."""
    handled = redelivered = 0
    for path in logs:
        for line in path.read_text(errors="replace").splitlines():
            if '"message.handled"' not in line:
                continue
            event = json.loads(line)
            if event.get("outcome") == "handled":
                handled += 1
                redelivered += int(event.get("receive_count", 1)) > 1
    return handled, redelivered


class CatalogDrain:
    """Consumes the catalog queue while the transformers run, as the cataloger would.

    Without it the catalog queue grows by one message per file, and moto's
    SendMessageBatch slows down with the queue's length (about 10x at 4,000
    messages), which would throttle the transformers on the emulator only. It
    takes 8 connections because moto shares its one core between requests:
    with 2, the transformers' sends outnumbered it, the catalog queue grew past
    1,500 messages in a minute and every SQS call slowed in proportion.
    """

    def __init__(self, stack: Stack, url: str, threads: int = 8) -> None:
        self.url = url
        self.received = 0
        self._sqs = stack.client("sqs")
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._run, daemon=True) for _ in range(threads)]

    def __enter__(self) -> CatalogDrain:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join()
        self.received += depth(self._sqs, self.url)  # counted, not drained: that is slow

    def _take(self) -> int:
        batch = self._sqs.receive_message(
            QueueUrl=self.url, MaxNumberOfMessages=10, WaitTimeSeconds=1
        ).get("Messages", [])
        if batch:
            self._sqs.delete_message_batch(
                QueueUrl=self.url,
                Entries=[
                    {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(batch)
                ],
            )
            with self._lock:
                self.received += len(batch)
        return len(batch)

    def _run(self) -> None:
        while not self._stop.is_set():
            self._take()


def transformer_command() -> list[str]:
    found = shutil.which("transformer")
    return [found] if found else [sys.executable, "-m", "transformer.main"]


# -- one run -----------------------------------------------------------------

NATURAL_KEYS = {
    "playlist_items": ["playlist_id", "snapshot_id", "position"],
    "tracks": ["source_key", "track_id"],
    "albums": ["source_key", "album_id"],
    "artists": ["source_key", "artist_id"],
    "track_artists": ["source_key", "track_id", "position"],
}


@dataclass
class Result:
    processes: int
    objects: int
    seconds: float
    """From starting the processes to an empty queue (start-up included)."""
    draining: float
    """From the first message taken to an empty queue (steady state)."""
    rows: int
    dead_letters: int
    check: dict[str, str]
    handled: int
    """``message.handled`` lines with outcome handled (more than objects: redeliveries)."""
    redelivered: int
    """Messages handled with a receive count above 1."""
    announced: int
    """TableFileWritten messages the transformers sent (5 tables per page)."""
    transformer_cpu: float
    """CPU seconds of all transformer processes, start-up included."""
    moto_cpu: dict[str, float]
    """CPU seconds of each moto server ("s3", "sqs", or "s3+sqs") while the transformers ran."""

    @property
    def ok(self) -> bool:
        return all(v == "ok" for v in self.check.values()) and self.dead_letters == 0


def read_table(stack: Stack, bucket: str, table: str) -> pl.DataFrame:
    s3 = stack.client("s3")
    keys = [
        o["Key"]
        for page in s3.get_paginator("list_objects_v2").paginate(
            Bucket=bucket, Prefix=f"curated/{table}/"
        )
        for o in page.get("Contents", [])
    ]
    frames = parallel(
        lambda key: pl.read_parquet(
            io.BytesIO(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
        ),
        keys,
    )
    return pl.concat(frames) if frames else pl.DataFrame()


def check_tables(stack: Stack, bucket: str, expected: Expected) -> tuple[dict[str, str], int]:
    check: dict[str, str] = {}
    total = 0
    for table, natural in NATURAL_KEYS.items():
        frame = read_table(stack, bucket, table)
        total += frame.height
        unique = frame.select(natural).unique().height if frame.height else 0
        want = expected.rows[table]
        if frame.height != unique:
            check[table] = f"{frame.height - unique} duplicate rows"
        elif frame.height != want:
            check[table] = f"{frame.height} rows, expected {want}"
        else:
            check[table] = "ok"
    return check, total


def run(
    stack: Stack,
    processes: int,
    raw_bucket: str,
    keys: Sequence[str],
    expected: Expected,
    log_dir: Path,
    max_in_flight: int,
) -> Result:
    names = StackNames.unique(f"load{processes}")
    provisioned = provision(
        stack.client("s3"), stack.client("sqs"), names, REGION, visibility_timeout=VISIBILITY
    )
    queue = provisioned.queue_urls[names.transform_queue]
    dlq = provisioned.queue_urls[names.dlq(names.transform_queue)]
    # Fed in a window rather than all at once: moto's SQS calls cost time in
    # proportion to the queue's length, so a 5,000-deep queue would measure moto.
    pending = list(keys)
    fed, pending = pending[:FEED_WINDOW], pending[FEED_WINDOW:]
    enqueue(stack, queue, raw_bucket, fed)
    env = {
        **os.environ,
        **stack.env(names),
        "SPOTIFY_ETL_EXIT_WHEN_IDLE": str(2 * VISIBILITY),
        "SPOTIFY_ETL_VISIBILITY_TIMEOUT": str(VISIBILITY),
        "SPOTIFY_ETL_WAIT_SECONDS": "1",
        "SPOTIFY_ETL_MAX_IN_FLIGHT": str(max_in_flight),
        "SPOTIFY_ETL_LOG_LEVEL": "INFO",
    }
    sqs = stack.client("sqs")
    catalog = CatalogDrain(stack, provisioned.queue_urls[names.catalog_queue])
    moto = {pid: psutil.Process(pid) for pid in stack.pids}
    moto_before = {pid: _cpu(proc) for pid, proc in moto.items()}
    children_before = _children_cpu()
    with catalog:
        started = time.monotonic()
        workers = []
        for n in range(processes):
            log = (log_dir / f"transformer-{processes}-{n}.log").open("wb")
            workers.append(
                subprocess.Popen(
                    transformer_command(), env=env, stdout=log, stderr=subprocess.STDOUT
                )
            )
        first_taken: float | None = None
        next_progress = started + PROGRESS_EVERY
        while (left := depth(sqs, queue)) > 0 or pending:
            now = time.monotonic()
            if first_taken is None and left < len(fed):
                first_taken = now
            if now >= next_progress:
                next_progress += PROGRESS_EVERY
                print(
                    f"  {now - started:5.0f} s: {len(keys) - len(pending) - left} of {len(keys)} "
                    f"done, transform queue {left}, catalog queue "
                    f"{depth(sqs, catalog.url)} (drained {catalog.received})",
                    file=sys.stderr,
                )
            if pending and left <= REFILL_AT and depth(sqs, catalog.url) <= CATALOG_BACKLOG:
                fed, pending = pending[: FEED_WINDOW - left], pending[FEED_WINDOW - left :]
                enqueue(stack, queue, raw_bucket, fed)
            if all(w.poll() is not None for w in workers):
                raise RuntimeError(f"every transformer exited with work left; see {log_dir}")
            time.sleep(0.25)
        seconds = time.monotonic() - started
        draining = time.monotonic() - (first_taken or started)
        moto_cpu = {pid: _cpu(proc) - moto_before[pid] for pid, proc in moto.items()}
        for worker in workers:
            worker.wait(timeout=4 * VISIBILITY + 30)
    transformer_cpu = _children_cpu() - children_before
    dead = depth(sqs, dlq)
    handled, redelivered = handled_counts(log_dir.glob(f"transformer-{processes}-*.log"))
    announced = catalog.received
    check, rows = check_tables(stack, names.bucket, expected)
    if stack.s3_pid == stack.sqs_pid:
        moto_named = {"s3+sqs": moto_cpu[stack.s3_pid]}
    else:
        moto_named = {"s3": moto_cpu[stack.s3_pid], "sqs": moto_cpu[stack.sqs_pid]}
    return Result(
        processes,
        len(keys),
        seconds,
        draining,
        rows,
        dead,
        check,
        handled,
        redelivered,
        announced,
        transformer_cpu,
        moto_named,
    )


def _cpu(process: psutil.Process) -> float:
    times = process.cpu_times()
    return float(times.user + times.system)


def _children_cpu() -> float:
    """CPU seconds of this process's waited-for children (the transformers, once reaped)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def table(results: Sequence[Result]) -> str:
    base = results[0].objects / results[0].draining if results else 1.0
    lines = [
        "| transformers | objects | rows | wall s (with start-up) | drain s | objects/s | rows/s "
        "| speed-up | handled (redelivered) | catalog msgs | DLQ | curated tables |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in results:
        rate = r.objects / r.draining
        problems = [f"{t}: {v}" for t, v in r.check.items() if v != "ok"]
        lines.append(
            f"| {r.processes} | {r.objects} | {r.rows} | {r.seconds:.1f} | {r.draining:.1f} | "
            f"{rate:.1f} | {r.rows / r.draining:.0f} | {rate / base:.2f}x | "
            f"{r.handled} ({r.redelivered}) | {r.announced} | {r.dead_letters} | "
            f"{'; '.join(problems) or 'no missing, no duplicate rows'} |"
        )
    return "\n".join(lines)


def cpu_table(results: Sequence[Result]) -> str:
    """Where the CPU went: the transformers against the emulator, per object."""
    cores = os.cpu_count() or 1
    lines = [
        "| transformers | transformer CPU s | CPU ms/object | moto CPU s | "
        f"CPU busy (of {cores} cores) |",
        "|---:|---:|---:|---|---:|",
    ]
    for r in results:
        moto = ", ".join(f"{name} {cpu:.1f}" for name, cpu in r.moto_cpu.items())
        busy = (r.transformer_cpu + sum(r.moto_cpu.values())) / (r.seconds * cores)
        lines.append(
            f"| {r.processes} | {r.transformer_cpu:.1f} | "
            f"{1000 * r.transformer_cpu / r.objects:.1f} | {moto} | {busy:.0%} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--objects", type=int, default=5000, help="raw pages (default 5000)")
    parser.add_argument(
        "--items", type=int, default=50, help="items per page (default 50, the /items page size)"
    )
    parser.add_argument(
        "--processes", default="1,2,4", help="transformer counts to try (default 1,2,4)"
    )
    parser.add_argument(
        "--max-in-flight", type=int, default=10, help="SPOTIFY_ETL_MAX_IN_FLIGHT per process"
    )
    parser.add_argument(
        "--one-moto",
        action="store_true",
        help="serve S3 and SQS from one moto process (default: one each, through "
        "AWS_ENDPOINT_URL_S3/_SQS, so the emulator can use two cores)",
    )
    args = parser.parse_args(argv)
    counts = [int(p) for p in args.processes.split(",")]

    work = Path(tempfile.mkdtemp(prefix="spotify-etl-load-"))
    t0 = time.monotonic()
    pages, expected = generate(args.objects, args.items)
    print(
        f"generated {len(pages)} pages ({sum(map(len, pages.values())) / 1e6:.1f} MB) in "
        f"{time.monotonic() - t0:.1f} s; expected rows: {expected.rows}",
        file=sys.stderr,
    )
    results = []
    for processes in counts:
        # A fresh moto server per run: moto slows down as it holds more objects and
        # messages, which would penalise the later runs.
        stack = Stack.start(work, str(processes), split=not args.one_moto)
        try:
            raw_bucket = StackNames.unique("loadraw").bucket
            upload(stack, raw_bucket, pages)
            result = run(
                stack, processes, raw_bucket, sorted(pages), expected, work, args.max_in_flight
            )
        finally:
            stack.stop()
        print(
            f"{processes} transformer(s): {result.seconds:.1f} s, check {result.check}",
            file=sys.stderr,
        )
        results.append(result)
    print(table(results))
    print()
    print(cpu_table(results))
    print(f"\nlogs in {work}", file=sys.stderr)
    return 0 if all(r.ok for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())

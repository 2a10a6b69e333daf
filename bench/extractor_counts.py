"""Request and object counts of the extractor in three scenarios (figures for the closing note).

Usage: uv run python -m bench.extractor_counts [--scenarios quota,tokens,library,household]

Like :mod:`bench.extractor_bench`: ``extractor run-once`` runs in-process against
a moto server and the fake Spotify, each in its own process. Every figure is a
count (requests, answers, objects, messages, pages), not a rate; only each
scenario's total seconds is timing, for information. One exception: where a
quota cuts a run, which of the four requests in flight it cuts depends on the
order concurrent sources reach it, so scenario 1's per-run figures can move by
a few requests, objects and messages between repetitions; its checks (every
album and artist stored, nothing requested again once stored) do not.
The fake's catalogue is a pure function of its spec and seed, so the albums and
artists the playlists reference are known here without asking it.

1. quota: a fake with ``--daily-quota N`` (N = 8, 40; 3 playlists x 120 items,
   60 plays), playlists and recently played. Run 1 stops on QUOTA_EXCEEDED;
   the fake restarts without the quota (same seed, same data) and run 2 resumes
   on the same stack. Then: is every referenced album and artist stored, and was
   any entity requested again after it was stored?
2. tokens: ``--token-lifetime 5``, both sides limited to 20 requests / 10 s,
   3 % injected 5xx: 401 answers, token fetches, every album and artist stored.
3. library: 3,000 saved tracks, EXTRACTOR_LIBRARY=saved_tracks, no entities;
   run 1, ten new saves (``POST /fake/library/new-release?tracks=10``), run 2.
4. household: three users of one app (``--users alice,bob,carol``), each with a
   first backfill of 3,000 saved tracks (of a 6,000-track catalogue) and 60
   plays, a grant each in Secrets Manager; EXTRACTOR_USERS=alice,bob,carol,
   recently played, saved tracks, ``mine``; three runs. Per run and user: the
   requests their token made, their ``/me/tracks`` pages, and at which request
   of the run (the fake's ordered log) their recently played was fetched.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import logging
import os
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import boto3
import httpx
from extractor.main import run_once_command
from extractor.settings import ExtractorSettings
from fake_spotify.catalog import Catalog, CatalogSpec, build_catalog
from spotify_etl.local.provision import Provisioned, StackNames, provision
from spotify_etl_common.logs import configure_logging

from bench.extractor_bench import REGION, drain, moto_server

SEED = 1
QUOTAS = (8, 40)


@dataclass(frozen=True)
class Fake:
    url: str
    playlists: str

    def stats(self) -> dict[str, Any]:
        stats: dict[str, Any] = httpx.get(f"{self.url}/fake/stats", timeout=10).json()
        stats.pop("arrivals", None)
        return stats


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@contextmanager
def fake_spotify(*flags: str, port: int = 0) -> Iterator[Fake]:
    """``fake-spotify serve --seed 1 <flags>`` in its own process (``port`` 0: any free one)."""
    command = [sys.executable, "-m", "fake_spotify.main", "serve", "--seed", str(SEED)]
    command += ["--port", str(port), *flags]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        found = dict(process.stdout.readline().strip().split("=", 1) for _ in range(2))
        yield Fake(found["FAKE_SPOTIFY_URL"], found["FAKE_SPOTIFY_PLAYLISTS"])
    finally:
        process.terminate()
        process.wait(timeout=10)


@dataclass
class Stack:
    s3: Any
    sqs: Any
    endpoint: str
    provisioned: Provisioned

    @classmethod
    def fresh(cls, endpoint: str) -> Stack:
        s3 = boto3.client("s3", endpoint_url=endpoint, region_name=REGION)
        sqs = boto3.client("sqs", endpoint_url=endpoint, region_name=REGION)
        return cls(s3, sqs, endpoint, provision(s3, sqs, StackNames.unique("counts"), REGION))

    @property
    def names(self) -> StackNames:
        return self.provisioned.names

    def raw_keys(self) -> set[str]:
        pages = self.s3.get_paginator("list_objects_v2").paginate(
            Bucket=self.names.bucket, Prefix="raw/"
        )
        return {o["Key"] for page in pages for o in page.get("Contents", [])}

    def drain_transform(self) -> int:
        """Transform messages waiting (the run's: drained after every run)."""
        url = self.provisioned.queue_urls[self.names.transform_queue]
        return len({m.key for m in drain(self.sqs, url)})


@dataclass(frozen=True)
class Run:
    exit_code: int
    keys_before: int
    keys_after: int
    objects_written: int
    """ObjectsWritten of the run's summary line."""
    messages_sent: int
    """MessagesSent of the run's summary line."""
    messages_drained: int
    """Distinct raw keys announced on the transform queue by the run."""
    stats: dict[str, Any]
    """The fake's counters for this run (a delta when the fake served earlier runs)."""


def run_once(stack: Stack, fake: Fake, **env: str) -> Run:
    """``extractor run-once`` in-process; its JSON log lines and stderr are captured."""
    settings = ExtractorSettings.model_validate(
        {
            "SPOTIFY_ETL_BUCKET": stack.names.bucket,
            "SPOTIFY_ETL_TRANSFORM_QUEUE": stack.names.transform_queue,
            "SPOTIFY_ETL_CATALOG_QUEUE": stack.names.catalog_queue,
            "AWS_ENDPOINT_URL": stack.endpoint,
            "SPOTIFY_CLIENT_ID": "fake-client-id",
            "SPOTIFY_CLIENT_SECRET": "fake-client-secret",
            "SPOTIFY_REFRESH_TOKEN": "fake-refresh-token",
            "SPOTIFY_API_URL": f"{fake.url}/v1",
            "SPOTIFY_ACCOUNTS_URL": fake.url,
            **env,
        }
    )
    before_keys = len(stack.raw_keys())
    before_stats = fake.stats()
    lines, err = io.StringIO(), io.StringIO()
    configure_logging("extractor", "INFO", stream=lines, json=True)
    with contextlib.redirect_stderr(err):
        code = run_once_command(settings)
    summary = next(
        (
            event
            for line in lines.getvalue().splitlines()
            if line.startswith("{")
            and (event := json.loads(line)).get("event") == "extract.run.summary"
        ),
        None,
    )
    if summary is None:
        raise SystemExit(f"no extract.run.summary line; stderr:\n{err.getvalue()}")
    after_stats = fake.stats()
    return Run(
        exit_code=code,
        keys_before=before_keys,
        keys_after=len(stack.raw_keys()),
        objects_written=int(summary["ObjectsWritten"]),
        messages_sent=int(summary["MessagesSent"]),
        messages_drained=stack.drain_transform(),
        stats=delta(before_stats, after_stats),
    )


def delta(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """Counters (and per-path counts) received between two ``/fake/stats`` answers."""
    out: dict[str, Any] = {}
    for name, value in after.items():
        if name == "paths":
            out[name] = Counter(value) - Counter(before.get("paths", {}))
        elif isinstance(value, int):
            out[name] = value - int(before.get(name, 0))
    return out


def referenced(catalog: Catalog) -> set[tuple[str, str]]:
    """(kind, id) of every album and artist the own playlists and the plays reference."""
    entries = [e for p in catalog.own_playlist_ids for e in catalog.playlists[p].entries]
    track_ids = [e.ref for e in entries if e.kind == "track" and e.ref]
    track_ids += [p.track_id for p in catalog.plays]
    found: set[tuple[str, str]] = set()
    for track_id in track_ids:
        track = catalog.tracks[track_id]
        found.add(("albums", track.album_id))
        found.update(("artists", a) for a in track.artist_ids)
    return found


def stored(keys: set[str]) -> set[tuple[str, str]]:
    """(kind, id) of the raw album and artist objects among ``keys``."""
    found: set[tuple[str, str]] = set()
    for kind, field in (("albums", "album_id"), ("artists", "artist_id")):
        prefix = f"raw/source={kind}/{field}="
        found.update(
            (kind, k.removeprefix(prefix).removesuffix(".json"))
            for k in keys
            if k.startswith(prefix)
        )
    return found


def entity_paths(paths: Counter[str]) -> Counter[tuple[str, str]]:
    """Requests per album or artist (``/albums/<id>``, ``/artists/<id>``)."""
    found: Counter[tuple[str, str]] = Counter()
    for path, count in paths.items():
        parts = path.strip("/").split("/")
        if len(parts) == 2 and parts[0] in ("albums", "artists"):
            found[(parts[0], parts[1])] += count
    return found


def table(header: list[str], rows: list[list[object]]) -> None:
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for row in rows:
        print("| " + " | ".join(str(c) for c in row) + " |")


def quota_scenario(endpoint: str) -> None:
    start = time.monotonic()
    catalog = build_catalog(CatalogSpec(seed=SEED))
    wanted = referenced(catalog)
    rows: list[list[object]] = []
    checks: list[list[object]] = []
    for quota in QUOTAS:
        stack = Stack.fresh(endpoint)
        runs: list[Run] = []
        stored_after: list[set[tuple[str, str]]] = []
        # the restarted fake listens where the first did, as Spotify's host stays the
        # same: a playlist cut mid-way resumes from the next-page URL run 1 stored
        port = free_port()
        for flags in (("--daily-quota", str(quota)), ()):
            with fake_spotify(*flags, port=port) as fake:
                runs.append(
                    run_once(
                        stack,
                        fake,
                        EXTRACTOR_PLAYLISTS=fake.playlists,
                        EXTRACTOR_RECENTLY_PLAYED="true",
                    )
                )
            stored_after.append(stored(stack.raw_keys()))
        for n, r in enumerate(runs, start=1):
            rows.append(
                [
                    quota,
                    f"{n} ({'quota' if n == 1 else 'no quota'})",
                    r.exit_code,
                    f"{r.keys_after - r.keys_before} ({r.keys_before} -> {r.keys_after})",
                    r.objects_written,
                    r.messages_drained,
                    r.messages_sent,
                    r.stats.get("requests", 0),
                    r.stats.get("quota_exceeded", 0),
                ]
            )
        per_run = [entity_paths(r.stats["paths"]) for r in runs]
        total = per_run[0] + per_run[1]
        twice = sorted(e for e, c in total.items() if c > 1)
        again = [e for e in per_run[1] if e in stored_after[0]]  # asked for once stored
        missing = wanted - stored_after[1]
        checks.append(
            [
                quota,
                f"{len(wanted) - len(missing)}/{len(wanted)}",
                len(missing),
                len(twice),
                len(again),
                max(total.values(), default=0),
            ]
        )
    print(
        f"Scenario 1: daily quota, then resume (fake defaults: 3 playlists x 120 items, "
        f"60 plays, seed {SEED}; EXTRACTOR_PLAYLISTS = its playlists, "
        "EXTRACTOR_RECENTLY_PLAYED=true; run 2 against the fake restarted on its port "
        "without the quota, same stack)\n"
    )
    table(
        [
            "quota N",
            "run",
            "exit",
            "raw objects new (keys before -> after)",
            "ObjectsWritten",
            "transform messages (queue)",
            "MessagesSent",
            "API requests",
            "QUOTA_EXCEEDED",
        ],
        rows,
    )
    print(
        "\nWhere a run 2 has MessagesSent above ObjectsWritten, a playlist finished announces "
        "again the pages run 1 kept (read back from S3, not fetched or written again).\n"
    )
    table(
        [
            "quota N",
            "albums+artists stored / referenced",
            "missing",
            "entity paths requested > once (both runs)",
            "entities requested again after stored",
            "most requests of one entity path",
        ],
        checks,
    )
    print(f"\n({time.monotonic() - start:.1f} s in all)\n")


def tokens_scenario(endpoint: str) -> None:
    start = time.monotonic()
    stack = Stack.fresh(endpoint)
    flags = ["--token-lifetime", "5", "--rate-limit", "20", "--window", "10"]
    flags += ["--error-rate", "0.03"]
    with fake_spotify(*flags) as fake:
        r = run_once(
            stack,
            fake,
            EXTRACTOR_PLAYLISTS=fake.playlists,
            EXTRACTOR_RECENTLY_PLAYED="true",
            EXTRACTOR_RATE_LIMIT="20",
            EXTRACTOR_RATE_WINDOW="10",
        )
    wanted = referenced(build_catalog(CatalogSpec(seed=SEED)))
    missing = wanted - stored(stack.raw_keys())
    s = r.stats
    print(
        "Scenario 2: short tokens (fake --token-lifetime 5 --rate-limit 20 --window 10 "
        "--error-rate 0.03; EXTRACTOR_RATE_LIMIT=20 EXTRACTOR_RATE_WINDOW=10; "
        "playlists and recently played as in 1)\n"
    )
    table(
        [
            "exit",
            "API requests",
            "401 answers",
            "token fetches",
            "429 (rate limit)",
            "injected 5xx",
            "ObjectsWritten",
            "transform messages",
            "albums+artists stored / referenced",
        ],
        [
            [
                r.exit_code,
                s.get("requests", 0),
                s.get("unauthorized", 0) + s.get("status_401", 0),
                s.get("tokens_issued", 0),
                s.get("rate_limited", 0),
                s.get("injected_errors", 0),
                r.objects_written,
                r.messages_drained,
                f"{len(wanted) - len(missing)}/{len(wanted)}"
                + (" (all)" if not missing else " (MISSING)"),
            ]
        ],
    )
    print(f"\n({time.monotonic() - start:.1f} s in all)\n")


def library_scenario(endpoint: str) -> None:
    start = time.monotonic()
    stack = Stack.fresh(endpoint)
    env = {
        "EXTRACTOR_LIBRARY": "saved_tracks",
        "EXTRACTOR_MAX_ENTITIES": "0",
        "EXTRACTOR_PLAYLISTS": "",
        "EXTRACTOR_RECENTLY_PLAYED": "false",
    }
    rows: list[list[object]] = []
    with fake_spotify("--saved-tracks", "3000") as fake:
        first = run_once(stack, fake, **env)
        saved = httpx.post(f"{fake.url}/fake/library/new-release?tracks=10", timeout=10)
        saved.raise_for_status()
        second = run_once(stack, fake, **env)
    for name, r in (("1 (3,000 saved)", first), ("2 (+10 new saves)", second)):
        rows.append(
            [
                name,
                r.exit_code,
                r.stats.get("requests", 0),
                r.stats["paths"].get("/me/tracks", 0),
                r.objects_written,
                r.messages_drained,
            ]
        )
    print(
        "Scenario 3: library (fake --saved-tracks 3000; EXTRACTOR_LIBRARY=saved_tracks "
        "EXTRACTOR_MAX_ENTITIES=0, no playlists, no recently played; between the runs "
        "POST /fake/library/new-release?tracks=10)\n"
    )
    table(
        [
            "run",
            "exit",
            "Spotify requests",
            "/me/tracks pages",
            "ObjectsWritten",
            "transform messages",
        ],
        rows,
    )
    print(f"\n({time.monotonic() - start:.1f} s in all)\n")


HOUSEHOLD = ("alice", "bob", "carol")


def household_scenario(endpoint: str) -> None:
    start = time.monotonic()
    stack = Stack.fresh(endpoint)
    prefix = f"{stack.names.bucket}-users/"
    secrets = boto3.client("secretsmanager", endpoint_url=endpoint, region_name=REGION)
    given = datetime.now(UTC).isoformat()
    for name in HOUSEHOLD:
        value = {"refresh_token": f"fake-refresh-token-{name}", "authorized_at": given, "id": name}
        secrets.create_secret(Name=f"{prefix}{name}", SecretString=json.dumps(value))
    env = {
        "EXTRACTOR_USERS": ",".join(HOUSEHOLD),
        "SPOTIFY_USER_SECRET_PREFIX": prefix,
        "EXTRACTOR_PLAYLISTS": "mine",
        "EXTRACTOR_RECENTLY_PLAYED": "true",
        "EXTRACTOR_LIBRARY": "saved_tracks",
    }
    flags = ["--saved-tracks", "6000", "--playlists", "1", "--items", "10"]
    flags += ["--users", ",".join(HOUSEHOLD), "--user-saved-tracks", "3000", "--user-plays", "60"]
    rows: list[list[object]] = []
    with fake_spotify(*flags) as fake:
        seen = 0
        for number in (1, 2, 3):
            r = run_once(stack, fake, **env)
            log = httpx.get(f"{fake.url}/fake/log", timeout=30).json()["log"][seen:]
            seen += len(log)
            recent = {
                name: [
                    n
                    for n, (who, path) in enumerate(log, start=1)
                    if who == name and path == "/me/player/recently-played"
                ]
                for name in HOUSEHOLD
            }
            entities = sum(1 for who, path in log if path.startswith(("/albums/", "/artists/")))
            for name in HOUSEHOLD:
                mine = [path for who, path in log if who == name]
                rows.append(
                    [
                        number,
                        r.exit_code,
                        len(log),
                        entities,
                        name,
                        len(mine),
                        mine.count("/me/tracks"),
                        ", ".join(f"#{n}" for n in recent[name]) or "-",
                    ]
                )
    print(
        "Scenario 4: household (fake --users alice,bob,carol --user-saved-tracks 3000 "
        "--user-plays 60 --saved-tracks 6000; EXTRACTOR_USERS=alice,bob,carol, "
        "EXTRACTOR_PLAYLISTS=mine, EXTRACTOR_RECENTLY_PLAYED=true, "
        "EXTRACTOR_LIBRARY=saved_tracks, EXTRACTOR_MAX_ENTITIES 200 and the other defaults; "
        "nothing changes between the runs)\n"
    )
    table(
        [
            "run",
            "exit",
            "API requests (run)",
            "albums+artists requested (run)",
            "user",
            "requests with the user's token",
            "/me/tracks pages",
            "recently played at request",
        ],
        rows,
    )
    print(f"\n({time.monotonic() - start:.1f} s in all)\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--scenarios",
        default="quota,tokens,library,household",
        help="comma-separated: quota, tokens, library, household",
    )
    args = parser.parse_args()
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": REGION,
    }.items():
        os.environ.setdefault(key, value)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    known = {
        "quota": quota_scenario,
        "tokens": tokens_scenario,
        "library": library_scenario,
        "household": household_scenario,
    }
    chosen = [known[name.strip()] for name in args.scenarios.split(",")]
    start = time.monotonic()
    with moto_server() as endpoint:
        for scenario in chosen:
            scenario(endpoint)
    print(f"total {time.monotonic() - start:.1f} s")


if __name__ == "__main__":
    main()

"""``make bench-lake``: a year of hourly runs in Iceberg tables, before and after ``maintain``.

Builds two lakes in one Glue catalog on a moto server (a subprocess): one of a
day and one of a year of hourly runs. Hour 0 is a first run (own playlists, their
items, every album, artist and track they name, and the library); every later
hour is a steady-state run (the library pages again, nothing new on the Spotify
side, and a recently-played page of that hour's plays). Raw bodies are the fake
Spotify's payloads; rows come from the transformer's core (``transform`` and
``plan_files``, one Parquet file per table per raw object, written as the
transformer writes them). Library pages whose body does not change are
transformed once and their lineage columns set per run (what the core would
give); each hour's recently-played page is transformed as it is.

Commits are the cataloger's (delete the batch's source keys, add its files, one
transaction per table): the day's one per table, the year's one per table every
30 days of runs (``--days-per-commit``). A commit costs about half a second on
moto here (table load, the delete's manifest scan, new manifests and metadata),
so per-hour commits (131,400) would take most of a day; the files, what
maintenance must fix, are the same either way. The tables'
metadata lives in the moto catalog; their files on local disk (``file://``): a
year is about 340,000 files, and one PUT each to moto alone would take longer
than this whole benchmark. Queries go through ``spotify-etl query``'s engine
(plan with pyiceberg, read the files, load DuckDB); "answer" is that load plus
the query, what one ``spotify-etl query`` costs.

Targets: after maintain, the year answers within 2x of the day, and no table holds
more than one file per partition below the target size.

``make bench-lake`` runs the year as daily runs (``RUNS_PER_DAY=1``) carrying the
same plays as hourly ones (a recently-played page per 48): 8,760 hourly runs are
about 510,000 files, and pyiceberg spends about 5 ms of CPU per file between
``add_files``, the compaction scan and the reads (measured here), so the hourly
year takes over an hour on this machine; ``RUNS_PER_DAY=24`` runs it. Even so
the daily year took 16m45s on a loaded machine, 14 min of it building: a month
per commit makes each delete test about 2,000 source keys against every file of
the table; ``--days-per-commit 7`` should cut that (not measured).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import polars as pl
from fake_spotify.api import FakeWebApi
from fake_spotify.catalog import CatalogSpec, build_catalog
from fake_spotify.library import TIME_RANGES
from fake_spotify.tokens import USER_SCOPES
from pyiceberg.exceptions import NamespaceAlreadyExistsError
from pyiceberg.expressions import In
from spotify_etl.local.server import free_port, start_moto, stop_process
from spotify_etl.query.local_engine import connect_lake, run_query
from spotify_etl.query.target import LocalTarget
from spotify_etl_common.keys import (
    entity_key,
    library_page_key,
    playlist_items_key,
    playlist_key,
    recently_played_key,
)
from spotify_etl_common.sources import Source
from spotify_etl_common.tables import TABLES
from spotify_etl_lake.catalog import open_catalog
from spotify_etl_lake.compaction import DEFAULT_TARGET_BYTES, data_files
from spotify_etl_lake.maintain import MaintenanceOptions, maintain_table
from spotify_etl_lake.schema import FORMAT_VERSION, iceberg_schema, partition_spec
from spotify_etl_lake.storage import StoredFile
from spotify_etl_views import load_views
from transformer.core import RawObject, Transformed, transform
from transformer.layout import CuratedFile, encode, plan_files

BASE = "https://api.spotify.com/v1"
START = datetime(2026, 1, 1, tzinfo=UTC)
QUERIES = {
    "top_tracks": "SELECT * FROM top_tracks",
    "distinct_plays": "SELECT count(*), count(DISTINCT track_id) FROM distinct_plays",
    "listening_by_month": "SELECT * FROM listening_by_month",
}
PLAYS_PER_HOUR = 12
"""A play every 5 minutes, all day: about 105,000 plays a year."""
PLAYS_PER_PAGE = 48
CREDENTIALS = ("testing", "testing")


@dataclass(frozen=True)
class Page:
    """One raw object a run fetches: its source, path, query and context."""

    source: Source
    path: str
    query: dict[str, str]
    playlist_id: str | None = None
    snapshot_id: str | None = None
    page: int = 0


class Spotify:
    """The fake's Web API in-process, answering as the extractor would ask."""

    def __init__(self) -> None:
        self.catalog = build_catalog(CatalogSpec(playlists=3, items=60, plays=5, saved_tracks=60))
        self.api = FakeWebApi(self.catalog)
        self.token = self.api.tokens.issue(True, USER_SCOPES)

    def get(self, path: str, query: dict[str, str]) -> dict[str, Any]:
        reply = self.api.handle_api(path, dict(query), f"Bearer {self.token}", BASE)
        if reply.status != 200:
            raise RuntimeError(f"fake answered {reply.status} to {path}: {reply.body}")
        return dict(reply.body)

    def library_pages(self) -> list[Page]:
        pages = [
            Page(Source.SAVED_TRACKS, "/me/tracks", {"limit": "50"}),
            Page(Source.SAVED_ALBUMS, "/me/albums", {"limit": "50"}),
            Page(Source.SAVED_SHOWS, "/me/shows", {"limit": "50"}),
            Page(Source.SAVED_EPISODES, "/me/episodes", {"limit": "50"}),
            Page(Source.FOLLOWED_ARTISTS, "/me/following", {"type": "artist", "limit": "50"}),
            Page(Source.MY_PLAYLISTS, "/me/playlists", {"limit": "50"}),
        ]
        for time_range in TIME_RANGES:
            query = {"time_range": time_range, "limit": "50"}
            pages.append(Page(Source.TOP_ARTISTS, "/me/top/artists", query))
            pages.append(Page(Source.TOP_TRACKS, "/me/top/tracks", query))
        return pages

    def first_run_pages(self) -> list[Page]:
        """Own playlists, their items, and every album, artist and track they name."""
        pages = []
        albums: set[str] = set()
        artists: set[str] = set()
        tracks: set[str] = set()
        for playlist_id in self.catalog.own_playlist_ids:
            playlist = self.catalog.playlists[playlist_id]
            snapshot = playlist.snapshot_id
            pages.append(
                Page(Source.PLAYLISTS, f"/playlists/{playlist_id}", {}, playlist_id, snapshot)
            )
            for number, offset in enumerate(range(0, max(len(playlist.entries), 1), 50)):
                pages.append(
                    Page(
                        Source.PLAYLIST_ITEMS,
                        f"/playlists/{playlist_id}/items",
                        {"limit": "50", "offset": str(offset)},
                        playlist_id,
                        snapshot,
                        number,
                    )
                )
            for entry in playlist.entries:
                if entry.kind == "track" and entry.ref in self.catalog.tracks:
                    track = self.catalog.tracks[entry.ref]
                    tracks.add(track.id)
                    albums.add(track.album_id)
                    artists.update(track.artist_ids)
        pages += [Page(Source.ALBUMS, f"/albums/{a}", {}) for a in sorted(albums)]
        pages += [Page(Source.ARTISTS, f"/artists/{a}", {}) for a in sorted(artists)]
        pages += [Page(Source.TRACKS, f"/tracks/{t}", {}) for t in sorted(tracks)]
        return pages

    def recently_played(self, end: datetime, count: int, first: int) -> dict[str, Any]:
        """A recently-played page (the fake's shape) of ``count`` plays, 5 minutes apart,
        ending before ``end``; ``first`` numbers the plays (which track each is)."""
        body = self.get("/me/player/recently-played", {"limit": "50"})
        template = body["items"][0]
        tracks = sorted(self.catalog.tracks)
        items = []
        for n in range(count):
            played = end - timedelta(minutes=5 * (n + 1))
            item = json.loads(json.dumps(template))
            item["played_at"] = played.strftime("%Y-%m-%dT%H:%M:%S.000Z")
            item["track"]["id"] = tracks[(first + n) % len(tracks)]
            items.append(item)
        body["items"] = items
        return body


def key_of(page: Page, run_id: str, at: datetime) -> str:
    """The extractor's raw key of ``page`` fetched by run ``run_id`` at ``at``."""
    if page.source is Source.PLAYLISTS:
        return playlist_key(str(page.playlist_id), str(page.snapshot_id))
    if page.source is Source.PLAYLIST_ITEMS:
        return playlist_items_key(str(page.playlist_id), str(page.snapshot_id), page.page)
    if page.source in (Source.ALBUMS, Source.ARTISTS, Source.TRACKS):
        return entity_key(page.source, page.path.rsplit("/", 1)[-1])
    number = {"short_term": 0, "medium_term": 1, "long_term": 2}.get(
        page.query.get("time_range", ""), 0
    )
    return library_page_key(page.source, run_id, at.date(), number, page.query.get("time_range"))


@dataclass
class Batch:
    """The files of one commit per table, and their source keys."""

    paths: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    keys: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))


class LakeWriter:
    """Writes one lake's curated files under ``root`` as the transformer does."""

    def __init__(self, root: Path, spotify: Spotify) -> None:
        self.root = root
        self.spotify = spotify
        self.templates: dict[str, dict[str, pl.DataFrame]] = {}
        """Transformed rows of each unchanging library page, by its path and query."""

    def _write(self, batch: Batch, objects: Sequence[RawObject]) -> None:
        transformed = transform(objects)
        at = {o.key: o.extracted_at for o in objects}
        for file in plan_files(transformed, at):
            self._save(batch, encode(file))

    def _save(self, batch: Batch, file: CuratedFile) -> None:
        path = self.root / file.key.removeprefix("curated/")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(file.data)
        batch.paths[file.table].append(f"file://{path}")
        batch.keys[file.table].add(file.source_key)

    def run(self, batch: Batch, at: datetime, first: bool, hours: int) -> None:
        """One extractor run at ``at`` covering the ``hours`` before it: its raw objects
        through the core, into files (a recently-played page per 48 plays)."""
        run_id = f"{at:%Y%m%dT%H%M%SZ}-bench"
        objects = []
        if first:
            for page in self.spotify.first_run_pages():
                body = json.dumps(self.spotify.get(page.path, page.query)).encode()
                objects.append(
                    RawObject(
                        key_of(page, run_id, at), body, at, page.playlist_id, page.snapshot_id
                    )
                )
        for page in self.spotify.library_pages():
            key = key_of(page, run_id, at)
            name = f"{page.path}?{sorted(page.query.items())}"
            if name not in self.templates:
                body = json.dumps(self.spotify.get(page.path, page.query)).encode()
                self.templates[name] = transform([RawObject(key, body, at)]).tables
            self._from_template(batch, self.templates[name], page.source, key, at)
        plays = PLAYS_PER_HOUR * hours
        for offset in range(0, plays, PLAYS_PER_PAGE):
            count = min(PLAYS_PER_PAGE, plays - offset)
            end = at - timedelta(minutes=5 * offset)
            played = self.spotify.recently_played(end, count, int(at.timestamp()) // 300 + offset)
            after = int((end - timedelta(minutes=5 * count)).timestamp() * 1000)
            objects.append(RawObject(recently_played_key(after), json.dumps(played).encode(), at))
        self._write(batch, objects)

    def _from_template(
        self,
        batch: Batch,
        tables: dict[str, pl.DataFrame],
        source: Source,
        key: str,
        at: datetime,
    ) -> None:
        """The template's rows with this run's lineage (what the core gives for the same body)."""
        lineage = (
            pl.lit(key).alias("source_key"),
            pl.lit(at).cast(pl.Datetime("us", "UTC")).alias("extracted_at"),
        )
        transformed = Transformed(
            {t: f.with_columns(*lineage) for t, f in tables.items()}, {key: source}
        )
        for file in plan_files(transformed, {key: at}):
            self._save(batch, encode(file))


class FolderStore:
    """The maintenance store over local ``file://`` folders (the bench's data files)."""

    def files(self, folder: str) -> list[StoredFile]:
        root = Path(folder.removeprefix("file://"))
        found = []
        for path in root.rglob("*") if root.exists() else ():
            if path.is_file():
                stat = path.stat()
                modified = datetime.fromtimestamp(stat.st_mtime, tz=UTC)
                found.append(StoredFile(f"file://{path}", stat.st_size, modified))
        return found

    def delete(self, uris: Sequence[str]) -> int:
        for uri in uris:
            Path(uri.removeprefix("file://")).unlink(missing_ok=True)
        return len(uris)


@dataclass(frozen=True)
class Endpoints:
    endpoint: str
    aws_region: str = "us-east-1"

    def endpoint_for(self, service: str) -> str | None:
        return self.endpoint


@dataclass
class Figures:
    """One lake at one moment."""

    files: dict[str, int]
    bytes: int
    small_per_partition: int
    """The most files below the target size that one partition of one table holds."""
    load_s: float
    query_s: dict[str, float]

    def answer_s(self, name: str) -> float:
        return self.load_s + self.query_s[name]


class Bench:
    def __init__(self, endpoint: str, root: Path) -> None:
        self.endpoints = Endpoints(endpoint)
        self.catalog = open_catalog(self.endpoints, credentials=CREDENTIALS)
        self.root = root
        self.target = LocalTarget(endpoint, "unused", *CREDENTIALS, "bench")

    def create(self, database: str) -> None:
        with contextlib.suppress(NamespaceAlreadyExistsError):
            self.catalog.create_namespace(database)
        for table in TABLES.values():
            schema = iceberg_schema(table)
            self.catalog.create_table(
                (database, table.name),
                schema=schema,
                location=f"file://{self.root / database / table.name}",
                partition_spec=partition_spec(table, schema),
                properties={"format-version": str(FORMAT_VERSION)},
            )

    def commit(self, database: str, batch: Batch) -> None:
        """The cataloger's commit per table: delete the batch's source keys, add its files."""
        for table, paths in batch.paths.items():
            loaded = self.catalog.load_table((database, table))
            with loaded.transaction() as tx:
                tx.delete(In(term="source_key", literals=sorted(batch.keys[table])))
                tx.add_files(paths)

    def build(self, database: str, days: int, runs_per_day: int, days_per_commit: int) -> float:
        started = time.perf_counter()
        self.create(database)
        writer = LakeWriter(self.root / database, Spotify())
        batch = Batch()
        for day in range(days):
            for run in range(runs_per_day):
                at = START + timedelta(days=day, hours=run * 24 // runs_per_day)
                writer.run(batch, at, first=(day, run) == (0, 0), hours=24 // runs_per_day)
            if (day + 1) % days_per_commit == 0 or day + 1 == days:
                self.commit(database, batch)
                batch = Batch()
            if day % 30 == 29:
                print(f"  {database}: {day + 1} days", file=sys.stderr, flush=True)
        return time.perf_counter() - started

    def figures(self, database: str) -> Figures:
        files: dict[str, int] = {}
        size = 0
        small = 0
        for table in TABLES:
            found = data_files(self.catalog.load_table((database, table)))
            files[table] = len(found)
            size += sum(f.size for f in found)
            per_partition: dict[object, int] = defaultdict(int)
            for f in found:
                if f.size < DEFAULT_TARGET_BYTES:
                    per_partition[f.partition] += 1
            small = max(small, *per_partition.values(), 0)
        target = LocalTarget(self.target.endpoint, "unused", *CREDENTIALS, "bench", database)
        started = time.perf_counter()
        with connect_lake(target, TABLES, load_views()) as con:
            load = time.perf_counter() - started
            timed = {}
            for name, sql in QUERIES.items():
                begin = time.perf_counter()
                run_query(con, sql)
                timed[name] = time.perf_counter() - begin
        return Figures(files, size, small, load, timed)

    def maintain(self, database: str) -> float:
        started = time.perf_counter()
        for table in TABLES:
            result = maintain_table(
                self.catalog,
                (database, table),
                FolderStore(),
                MaintenanceOptions(),
                lambda: datetime.now(UTC),
            )
            if result.failure:
                raise RuntimeError(result.line())
        return time.perf_counter() - started


def report(label: str, figures: Figures) -> None:
    total = sum(figures.files.values())
    busiest = sorted(figures.files.items(), key=lambda kv: -kv[1])[:4]
    print(
        f"{label}: {total:,} data files ({', '.join(f'{t} {n:,}' for t, n in busiest)}, ...), "
        f"{figures.bytes / 1e6:.1f} MB, at most {figures.small_per_partition} small file(s) "
        "in one partition"
    )
    answers = ", ".join(
        f"{name} {figures.answer_s(name):.2f} s (query {figures.query_s[name] * 1000:.0f} ms)"
        for name in QUERIES
    )
    print(f"  load {figures.load_s:.2f} s; answers: {answers}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=365, help="days of the long lake")
    parser.add_argument(
        "--runs-per-day",
        type=int,
        choices=(1, 2, 3, 4, 6, 8, 12, 24),
        default=24,
        help="runs a day (24: hourly); fewer runs carry the same plays (a page per 48)",
    )
    parser.add_argument(
        "--days-per-commit", type=int, default=30, help="days of runs per commit of a table"
    )
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop moto and clean up on kill
    os.environ.update(
        {"AWS_ACCESS_KEY_ID": CREDENTIALS[0], "AWS_SECRET_ACCESS_KEY": CREDENTIALS[1]}
    )
    root = Path(tempfile.mkdtemp(prefix="lake-bench-"))
    pid = None
    try:
        port = free_port()
        pid = start_moto(port, root / "moto.log")
        bench = Bench(f"http://127.0.0.1:{port}", root)
        built_day = bench.build("day", 1, 24, 1)
        built_year = bench.build("year", args.days, args.runs_per_day, args.days_per_commit)
        runs = args.days * args.runs_per_day
        print(f"lakes in {root}; runs every {24 // args.runs_per_day} h", file=sys.stderr)
        print(
            f"built: a day in {built_day:.1f} s, {runs:,} runs ({args.days} days) in "
            f"{built_year:.1f} s (a commit per table every {args.days_per_commit} days)"
        )
        day_before, year_before = bench.figures("day"), bench.figures("year")
        report("day, before maintain", day_before)
        report(f"year ({runs:,} runs), before maintain", year_before)
        maintained_day, maintained_year = bench.maintain("day"), bench.maintain("year")
        print(f"maintain: day {maintained_day:.1f} s, year {maintained_year:.1f} s")
        day_after, year_after = bench.figures("day"), bench.figures("year")
        report("day, after maintain", day_after)
        report("year, after maintain", year_after)
        ratios = {n: year_after.answer_s(n) / day_before.answer_s(n) for n in QUERIES}
        ratios_after = {n: year_after.answer_s(n) / day_after.answer_s(n) for n in QUERIES}
        print(
            "year after maintain / day: "
            + ", ".join(f"{n} {r:.2f}x" for n, r in ratios.items())
            + "; / day after maintain: "
            + ", ".join(f"{n} {r:.2f}x" for n, r in ratios_after.items())
        )
        ok = max(ratios.values()) <= 2 and year_after.small_per_partition <= 1
        print("targets met" if ok else "targets NOT met")
        return 0 if ok else 1
    finally:
        if pid is not None:
            stop_process(pid)
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

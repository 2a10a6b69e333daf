"""Replays stay exact on the Iceberg tables, before and after maintenance.

``make run``'s flow (the extractor against the fake Spotify, then the transformer
and the cataloger as processes until the queues are empty), then a replay of
every raw object (``spotify-etl replay --stage transform`` and the workers, what
``run-local --no-extract`` runs), then ``spotify-etl maintain`` (short retention,
no orphan margin), then another replay. After each step every table holds the
same rows (pyiceberg's scan of the current snapshot); after maintenance no
snapshot older than the retention is left beyond the newest one kept, no data
file lies under the tables that no snapshot references, and each partition is
one file.
"""

from __future__ import annotations

import importlib.util
import os
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fake_spotify.catalog import CatalogSpec, build_catalog
from fake_spotify.server import FakeConfig, FakeSpotify
from pyiceberg.catalog.glue import GlueCatalog
from pyiceberg.table import Table
from spotify_etl.local.provision import Provisioned
from spotify_etl_common.tables import TABLES
from spotify_etl_lake.catalog import open_catalog

from tests.conftest import REGION, LocalAws, fake_spotify_env
from tests.e2e.test_pipeline import run, run_workers

pytestmark = pytest.mark.e2e
KEEP_LAST = 1
MAINTAIN = [
    "spotify-etl",
    "maintain",
    "--retention-days",
    "0",
    "--keep-last",
    str(KEEP_LAST),
    "--orphan-age-hours",
    "0",
]
HAS_MAINTAIN = importlib.util.find_spec("spotify_etl_lake.maintain") is not None
"""``spotify-etl maintain`` comes with the lake's maintenance (branch icebergops)."""
VIEWS = ("songs", "album", "artist", "top_tracks", "top_artists", "distinct_plays")
"""Views whose whole answer must not move with a replay or maintenance."""
VIEWS_READ_ICEBERG = importlib.util.find_spec("spotify_etl_lake.read") is not None
"""``spotify-etl query`` reads the Iceberg tables once the lake's reads are there (icebergops)."""


@dataclass(frozen=True)
class Endpoints:
    endpoint: str
    aws_region: str = REGION

    def endpoint_for(self, service: str) -> str | None:
        return self.endpoint


@pytest.fixture
def fake() -> Iterator[FakeSpotify]:
    server = FakeSpotify(build_catalog(CatalogSpec(playlists=3, items=60, plays=40)), FakeConfig())
    server.start()
    yield server
    server.stop()


def load(catalog: GlueCatalog, database: str, name: str) -> Table:
    return catalog.load_table((database, name))


def row_counts(catalog: GlueCatalog, database: str) -> dict[str, Counter[str]]:
    """Rows per table and raw object, as a reader of the current snapshot sees them."""
    counts = {}
    for name in sorted(TABLES):
        scanned = load(catalog, database, name).scan(selected_fields=("source_key",)).to_arrow()
        counts[name] = Counter(scanned.column("source_key").to_pylist())
    return counts


def curated_files(aws: LocalAws, bucket: str) -> dict[str, str]:
    """Every Parquet object under curated/ with its ETag."""
    pages = (
        aws.client("s3").get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix="curated/")
    )
    return {
        o["Key"]: o["ETag"]
        for page in pages
        for o in page.get("Contents", [])
        if o["Key"].endswith(".parquet")
    }


def referenced(table: Table) -> set[str]:
    """Data files any snapshot of ``table`` references."""
    paths: set[str] = set()
    for snapshot in table.snapshots():
        for manifest in snapshot.manifests(table.io):
            for entry in manifest.fetch_manifest_entry(table.io, discard_deleted=True):
                paths.add(entry.data_file.file_path)
    return paths


def view_answers(env: dict[str, str]) -> dict[str, str]:
    """The whole answer of each view in :data:`VIEWS`, as ``spotify-etl query`` gives it."""
    return {
        view: run(
            ["spotify-etl", "query", "--format", "csv", f"SELECT * FROM {view} ORDER BY ALL"], env
        )
        for view in VIEWS
    }


def test_replay_maintain_replay_keeps_every_table_exact(
    moto_server: LocalAws, stack: Provisioned, fake: FakeSpotify, tmp_path: Path
) -> None:
    env = {
        **os.environ,
        **moto_server.env(stack.names),
        **fake_spotify_env(fake),
        "EXTRACTOR_MAX_ENTITIES": "0",
        "SPOTIFY_ETL_EXIT_WHEN_IDLE": "2",
        "SPOTIFY_ETL_WAIT_SECONDS": "1",
        "SPOTIFY_ETL_STATE_DIR": str(tmp_path),  # no developer's local stack is picked up
    }
    bucket, database = stack.names.bucket, env["CATALOGER_DATABASE"]
    catalog = open_catalog(Endpoints(moto_server.endpoint))
    sqs = moto_server.client("sqs")
    catalog_dlq = stack.queue_urls[stack.names.dlq(stack.names.catalog_queue)]

    # make run's flow
    run(["extractor", "run-once"], env)
    run_workers(env)  # what run-local --no-extract runs
    first = row_counts(catalog, database)
    assert sum(first["playlist_items"].values()) == sum(
        len(fake.catalog.playlists[p].entries) for p in fake.catalog.own_playlist_ids
    )
    assert all(sum(c.values()) > 0 for t, c in first.items() if t in ("tracks", "plays"))
    files = curated_files(moto_server, bucket)
    views = view_answers(env) if VIEWS_READ_ICEBERG else {}

    # a replay of every raw object: the same bytes at the same keys, the same rows
    run(["spotify-etl", "replay", "--stage", "transform"], env)
    run_workers(env)  # what run-local --no-extract runs
    assert row_counts(catalog, database) == first
    assert curated_files(moto_server, bucket) == files
    if VIEWS_READ_ICEBERG:
        assert view_answers(env) == views
    assert "Messages" not in sqs.receive_message(QueueUrl=catalog_dlq, WaitTimeSeconds=0)

    if not HAS_MAINTAIN:
        pytest.skip("the rest needs `spotify-etl maintain` (the lake's maintenance, icebergops)")

    # maintenance: compacted, old snapshots expired, unreferenced files deleted
    run(MAINTAIN, env)
    assert row_counts(catalog, database) == first
    for name in sorted(TABLES):
        table = load(catalog, database, name)
        assert len(table.snapshots()) <= KEEP_LAST, f"{name} kept snapshots past the retention"
        on_s3 = {
            f"s3://{bucket}/{k}"
            for k in curated_files(moto_server, bucket)
            if k.split("/")[1] == name
        }
        assert on_s3 == referenced(table), f"{name}: files on S3 and referenced files differ"
        per_partition = Counter(
            str(p) for p in table.inspect.files().column("partition").to_pylist()
        )
        assert all(n == 1 for n in per_partition.values()), f"{name}: {per_partition}"
    if VIEWS_READ_ICEBERG:
        assert view_answers(env) == views

    # another replay: each raw object's rows, now inside compacted files, replaced exactly
    run(["spotify-etl", "replay", "--stage", "transform"], env)
    run_workers(env)  # what run-local --no-extract runs
    assert row_counts(catalog, database) == first
    if VIEWS_READ_ICEBERG:
        assert view_answers(env) == views
    assert "Messages" not in sqs.receive_message(QueueUrl=catalog_dlq, WaitTimeSeconds=0)

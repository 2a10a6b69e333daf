"""The user's library through the three services as processes: two runs, new saves between.

The second run pages ``/me/tracks`` at most twice (it stops at the first page
holding a track the first run stored), and ``library_tracks`` then holds every
saved track once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest
from fake_spotify.catalog import CatalogSpec, build_catalog
from fake_spotify.server import FakeConfig, FakeSpotify
from spotify_etl.local.provision import Provisioned
from spotify_etl_common.keys import partition_values

from tests.conftest import LocalAws
from tests.e2e.test_pipeline import query, run, run_workers, service_env

pytestmark = pytest.mark.e2e


@pytest.fixture
def fake() -> Iterator[FakeSpotify]:
    spec = CatalogSpec(playlists=1, items=10, plays=0, saved_tracks=130)
    with FakeSpotify(build_catalog(spec), FakeConfig()) as server:
        yield server


def saved_pages_per_run(aws: LocalAws, bucket: str) -> list[int]:
    """How many ``/me/tracks`` pages each run stored, oldest run first (by write time)."""
    pages = aws.client("s3").get_paginator("list_objects_v2")
    objects = [
        (partition_values(o["Key"])["run"], o["LastModified"])
        for page in pages.paginate(Bucket=bucket, Prefix="raw/source=saved_tracks/")
        for o in page.get("Contents", [])
    ]
    runs = Counter(run for run, _ in objects)
    written = {run: min(at for r, at in objects if r == run) for run in runs}
    return [runs[r] for r in sorted(runs, key=written.__getitem__)]


def test_a_second_run_pages_saved_tracks_at_most_twice_and_the_library_holds_each_once(
    moto_server: LocalAws, stack: Provisioned, fake: FakeSpotify
) -> None:
    env = service_env(moto_server, stack, fake) | {
        "EXTRACTOR_PLAYLISTS": "",
        "EXTRACTOR_RECENTLY_PLAYED": "false",
        "EXTRACTOR_LIBRARY": "saved_tracks",
    }
    run(["extractor", "run-once"], env)
    new = fake.catalog.save_new_release(4)
    run(["extractor", "run-once"], env)
    run_workers(env)

    first, second = saved_pages_per_run(moto_server, stack.names.bucket)
    assert first == 3  # 130 saved tracks, 50 a page
    assert 1 <= second <= 2
    library = query(moto_server, stack.names.bucket, "SELECT track_id, name FROM library_tracks")
    saved = {s.id for s in fake.catalog.library.tracks}
    assert len(library) == len(saved) == 134
    assert {t for t, _ in library} == saved
    assert set(new) <= saved
    assert all(name for _, name in library)

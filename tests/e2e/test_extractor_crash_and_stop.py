"""``extractor run-once`` as a process: killed (SIGKILL) at several points, or sent SIGTERM.

After the interrupted runs, one clean run must leave every referenced album and
artist stored and every raw object announced (the transformer then turns each
into curated files), without fetching again anything an earlier run had stored.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from extractor.state.lease import LEASE_KEY
from fake_spotify.catalog import CatalogSpec, build_catalog
from fake_spotify.server import FakeConfig, FakeSpotify
from spotify_etl.local.provision import Provisioned
from spotify_etl_common.keys import parse_curated_key, source_digest

from tests.conftest import LocalAws, fake_spotify_env
from tests.integration.extractor.conftest import (
    drain,
    entity_of_key,
    entity_of_path,
    lease_is_free,
    raw_keys,
    referenced_entities,
)

pytestmark = pytest.mark.e2e
EXTRACTOR = Path(sys.executable).parent / "extractor"
TRANSFORMER = Path(sys.executable).parent / "transformer"


@pytest.fixture
def slow_fake() -> Iterator[FakeSpotify]:
    """Small catalog, 30 ms per answer: a run lasts long enough to be cut."""
    fake = FakeSpotify(
        build_catalog(CatalogSpec(playlists=2, items=60, plays=30)), FakeConfig(latency=0.03)
    )
    fake.start()
    yield fake
    fake.stop()


def _env(aws: LocalAws, stack: Provisioned, fake: FakeSpotify) -> dict[str, str]:
    return {
        **os.environ,
        **aws.env(stack.names),
        **fake_spotify_env(fake),
        "EXTRACTOR_MAX_ENTITIES": "500",
        "EXTRACTOR_CONCURRENCY": "2",
    }


def _start(env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [str(EXTRACTOR), "run-once"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )


def _wait_for_objects(stack: Provisioned, s3: Any, at_least: int, process: Any) -> None:
    deadline = time.monotonic() + 30
    while len(raw_keys(stack, s3)) < at_least and process.poll() is None:
        assert time.monotonic() < deadline, "the extractor wrote nothing in 30 s"
        time.sleep(0.01)


def _stored_entities(stack: Provisioned, s3: Any) -> set[tuple[str, str]]:
    return {e for k in raw_keys(stack, s3) if (e := entity_of_key(k)) is not None}


def _transform_everything(stack: Provisioned, aws: LocalAws, env: dict[str, str]) -> None:
    """Run the transformer until the queue is empty: every raw object has curated files."""
    s3 = aws.client("s3")
    transformer = subprocess.run(
        [str(TRANSFORMER)],
        env=env | {"SPOTIFY_ETL_EXIT_WHEN_IDLE": "2", "SPOTIFY_ETL_WAIT_SECONDS": "1"},
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert transformer.returncode == 0, transformer.stderr.decode()[-2000:]
    pages = s3.get_paginator("list_objects_v2").paginate(
        Bucket=stack.names.bucket, Prefix="curated/"
    )
    curated = {
        parts.source_digest
        for page in pages
        for o in page.get("Contents", [])
        if (parts := parse_curated_key(o["Key"])) is not None
    }
    # every raw object was announced and transformed (curated files are named by its key)
    untransformed = {k for k in raw_keys(stack, s3) if source_digest(k) not in curated}
    assert untransformed == set()


def _check_clean_finish(
    stack: Provisioned,
    aws: LocalAws,
    fake: FakeSpotify,
    env: dict[str, str],
    stored_then: list[tuple[set[tuple[str, str]], Counter[str]]],
    *,
    transform: bool,
) -> None:
    s3 = aws.client("s3")
    clean = subprocess.run(
        [str(EXTRACTOR), "run-once"], env=env, capture_output=True, timeout=120, check=False
    )
    assert clean.returncode == 0, clean.stderr.decode()
    assert referenced_entities(fake.catalog) <= _stored_entities(stack, s3)
    if transform:
        _transform_everything(stack, aws, env)
    else:
        announced = {m.key for m in drain(stack, aws.client("sqs"))}
        assert raw_keys(stack, s3) <= announced  # nothing written is left unannounced
    final = Counter(fake.paths)
    for stored, paths in stored_then:
        later = final - paths
        refetched = {e for p in later if (e := entity_of_path(p)) in stored}
        assert refetched == set(), "fetched again after it was stored"
    assert lease_is_free(s3, stack.names.bucket)


def test_kill_9_at_several_points_then_a_clean_run_loses_and_refetches_nothing(
    stack: Provisioned, moto_server: LocalAws, slow_fake: FakeSpotify
) -> None:
    s3 = moto_server.client("s3")
    env = _env(moto_server, stack, slow_fake)
    stored_then: list[tuple[set[tuple[str, str]], Counter[str]]] = []
    for more in (2, 6, 6):
        before = len(raw_keys(stack, s3))
        process = _start(env)
        _wait_for_objects(stack, s3, before + more, process)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
        stored_then.append((_stored_entities(stack, s3), Counter(slow_fake.paths)))
        # a killed run leaves its lease held (until deadline + grace): here, forget it
        assert not lease_is_free(s3, stack.names.bucket)
        s3.delete_object(Bucket=stack.names.bucket, Key=LEASE_KEY)

    _check_clean_finish(stack, moto_server, slow_fake, env, stored_then, transform=True)


def test_sigterm_stops_at_a_safe_point_soon_and_the_next_run_completes(
    stack: Provisioned, moto_server: LocalAws, slow_fake: FakeSpotify
) -> None:
    s3 = moto_server.client("s3")
    env = _env(moto_server, stack, slow_fake)
    process = _start(env)
    _wait_for_objects(stack, s3, 3, process)
    process.send_signal(signal.SIGTERM)
    sent = time.monotonic()
    _, err = process.communicate(timeout=60)
    assert time.monotonic() - sent < 30  # far inside the ECS stop timeout (120 s)
    stderr = err.decode()
    if process.returncode == 0:  # it had finished already: nothing to stop
        pytest.skip("the run finished before SIGTERM arrived")
    assert process.returncode == 1
    assert "STOPPED run stopped early: a stop signal (SIGTERM) arrived" in stderr
    assert lease_is_free(s3, stack.names.bucket)
    stored_then = [(_stored_entities(stack, s3), Counter(slow_fake.paths))]

    _check_clean_finish(stack, moto_server, slow_fake, env, stored_then, transform=False)

"""Runs that meet time: short tokens, rotation, invalid_grant, the daily quota, overlap, deadline.

In-process runs of the extractor against the fake Spotify (each mode behind its
flag) and the moto server (S3, SQS, Secrets Manager).
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from extractor.main import extract, main
from extractor.outcome import Status
from extractor.settings import ExtractorSettings
from extractor.state.lease import LEASE_KEY, LeaseDocument
from fake_spotify.catalog import OWNER_ID
from fake_spotify.server import FakeConfig, FakeSpotify
from spotify_etl.local.provision import Provisioned
from spotify_etl_common.keys import state_key, user_state_key

from tests.conftest import LocalAws
from tests.integration.extractor.conftest import (
    drain,
    entity_of_key,
    entity_of_path,
    lease_is_free,
    point_at,
    raw_keys,
    referenced_entities,
)

pytestmark = pytest.mark.integration
MakeFake = Callable[..., FakeSpotify]


def _secret(moto: LocalAws, token: str, authorized_at: datetime) -> str:
    name = f"spotify-user-{uuid.uuid4().hex[:8]}"
    value = {"refresh_token": token, "authorized_at": authorized_at.isoformat()}
    moto.client("secretsmanager").create_secret(Name=name, SecretString=json.dumps(value))
    return name


def _secret_value(moto: LocalAws, name: str) -> dict[str, str]:
    raw = moto.client("secretsmanager").get_secret_value(SecretId=name)["SecretString"]
    return dict(json.loads(raw))


def _stored_entities(stack: Provisioned, s3: object) -> set[tuple[str, str]]:
    return {e for k in raw_keys(stack, s3) if (e := entity_of_key(k)) is not None}


def _summary(out: str) -> dict[str, object]:
    for line in out.splitlines():
        if line.startswith("{") and '"extract.run.' in line:
            event = json.loads(line)
            if event.get("event") in ("extract.run.summary", "extract.run.skipped"):
                return dict(event)
    raise AssertionError(f"no summary line in {out!r}")


async def test_tokens_shorter_than_the_run_still_fetch_every_album_and_artist(
    stack: Provisioned, moto_server: LocalAws, make_fake: MakeFake, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = make_fake(FakeConfig(token_lifetime=1))  # expires_in 1 s: renewed many times a run
    # ~8 requests a second: the run outlives a token several times over
    point_at(fake, monkeypatch, EXTRACTOR_RATE_LIMIT="4", EXTRACTOR_RATE_WINDOW="0.5")

    report = await extract(ExtractorSettings())

    assert report.ok, report.summary_lines()
    assert referenced_entities(fake.catalog) <= _stored_entities(stack, moto_server.client("s3"))
    assert report.seconds > 1.5  # several token lifetimes
    assert fake.stats["tokens_issued"] < report.counters.requests / 2
    messages = drain(stack, moto_server.client("sqs"))
    assert {m.key for m in messages} == raw_keys(stack, moto_server.client("s3"))


async def test_a_rotated_refresh_token_is_stored_and_used_by_the_next_run(
    stack: Provisioned, moto_server: LocalAws, make_fake: MakeFake, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = make_fake(FakeConfig(rotate_refresh_tokens=True))
    given = datetime.now(UTC) - timedelta(days=170)
    name = _secret(moto_server, "fake-refresh-token", given)
    point_at(fake, monkeypatch, SPOTIFY_REFRESH_TOKEN_SECRET=name)
    monkeypatch.delenv("SPOTIFY_REFRESH_TOKEN")

    first = await extract(ExtractorSettings())

    assert first.ok, first.summary_lines()
    stored = _secret_value(moto_server, name)
    assert stored["refresh_token"] == "fake-rotated-refresh-token-1"  # one refresh per run
    assert datetime.fromisoformat(stored["authorized_at"]) == given  # kept
    assert first.days_left is not None
    assert 9.9 < first.days_left < 10.1
    assert any("days left" in w and "extractor auth --store" in w for w in first.warnings)
    fake.catalog.touch(fake.catalog.own_playlist_ids[0])  # something to do next time

    second = await extract(ExtractorSettings())

    assert second.ok, second.summary_lines()
    assert _secret_value(moto_server, name)["refresh_token"] == "fake-rotated-refresh-token-2"
    assert fake.service.refresh_tokens.use("fake-refresh-token") is None  # the old one is dead
    assert second.count(Status.EXTRACTED) >= 1


def test_invalid_grant_is_one_line_saying_when_and_what_to_run_and_exits_non_zero(
    stack: Provisioned,
    moto_server: LocalAws,
    make_fake: MakeFake,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    fake = make_fake(FakeConfig(refresh_token_expired=True))
    given = datetime.now(UTC) - timedelta(days=181)
    point_at(fake, monkeypatch, SPOTIFY_REFRESH_TOKEN_SECRET=_secret(moto_server, "x", given))
    monkeypatch.delenv("SPOTIFY_REFRESH_TOKEN")

    code = main(["run-once"])

    captured = capsys.readouterr()
    err = captured.err
    assert code == 1
    lines = [ln for ln in err.splitlines() if "expired or was revoked" in ln]
    assert len(lines) == 1
    assert f"given {given:%Y-%m-%d}" in lines[0]
    assert "`extractor auth --store`" in lines[0]
    summary = _summary(captured.out)  # the log lines (JSON) go to stdout
    assert summary["ExtractionFailed"] == 1
    assert summary["ExtractionSucceeded"] == 0
    assert summary["RefreshTokenDaysLeft"] < 0


async def test_the_daily_quota_stops_the_run_at_once_and_the_next_run_loses_nothing(
    stack: Provisioned, moto_server: LocalAws, make_fake: MakeFake, monkeypatch: pytest.MonkeyPatch
) -> None:
    s3, sqs = moto_server.client("s3"), moto_server.client("sqs")
    fake = make_fake(FakeConfig(daily_quota=12))
    point_at(fake, monkeypatch)

    first = await extract(ExtractorSettings())

    assert not first.ok
    assert first.quota is not None
    assert first.quota.retry_after == 86400
    stop = first.stop_line() or ""
    assert "daily request quota" in stop
    assert "Retry-After 86400 s" in stop
    assert fake.stats["quota_exceeded"] <= 4  # only requests already in flight, never a queue
    after_first = raw_keys(stack, s3)
    announced = {m.key for m in drain(stack, sqs)}
    assert announced == after_first  # everything written was announced
    assert len(announced) == first.objects_written
    paths_first = Counter(fake.paths)
    stored_first = _stored_entities(stack, s3)

    fake.service.quota.limit = 0  # a day later
    second = await extract(ExtractorSettings())

    assert second.ok, second.summary_lines()
    everything = raw_keys(stack, s3)
    announced |= {m.key for m in drain(stack, sqs)}
    assert announced == everything
    assert referenced_entities(fake.catalog) <= _stored_entities(stack, s3)
    run_two = Counter(fake.paths) - paths_first
    refetched = {e for p in run_two if (e := entity_of_path(p)) in stored_first}
    assert refetched == set()  # nothing fetched twice that was stored
    for playlist_id in fake.catalog.own_playlist_ids:
        stored_pages = sum(
            f"playlist_id={playlist_id}/" in k and "/page=" in k for k in after_first
        )
        total_pages = sum(f"playlist_id={playlist_id}/" in k and "/page=" in k for k in everything)
        assert run_two[f"/playlists/{playlist_id}/items"] == total_pages - stored_pages


async def test_an_overlapping_run_exits_saying_another_holds_the_lease(
    stack: Provisioned, moto_server: LocalAws, make_fake: MakeFake, monkeypatch: pytest.MonkeyPatch
) -> None:
    s3 = moto_server.client("s3")
    fake = make_fake(FakeConfig(latency=0.01))
    point_at(fake, monkeypatch)

    one, two = await asyncio.gather(extract(ExtractorSettings()), extract(ExtractorSettings()))

    busy = [r for r in (one, two) if r.busy is not None]
    done = [r for r in (one, two) if r.busy is None]
    assert len(busy) == 1
    assert len(done) == 1
    assert done[0].ok, done[0].summary_lines()
    assert "holds the lease" in (busy[0].busy or "") or "taking the lease" in (busy[0].busy or "")
    assert busy[0].counters.requests == 0
    assert lease_is_free(s3, stack.names.bucket)


def test_a_live_lease_makes_run_once_exit_0_and_an_expired_one_is_taken_over(
    stack: Provisioned,
    moto_server: LocalAws,
    make_fake: MakeFake,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    s3 = moto_server.client("s3")
    fake = make_fake(FakeConfig())
    point_at(fake, monkeypatch)
    now = datetime.now(UTC)
    live = LeaseDocument(run_id="other", taken_at=now, expires_at=now + timedelta(hours=1))
    s3.put_object(Bucket=stack.names.bucket, Key=LEASE_KEY, Body=live.model_dump_json())

    assert main(["run-once"]) == 0
    err = capsys.readouterr().err
    assert "another extractor run (other) holds the lease" in err
    assert "until" in err
    assert fake.stats["requests"] == 0

    stale = LeaseDocument(run_id="crashed", taken_at=now, expires_at=now - timedelta(seconds=1))
    s3.put_object(Bucket=stack.names.bucket, Key=LEASE_KEY, Body=stale.model_dump_json())
    assert main(["run-once"]) == 0
    assert "extract.lease.taken_over" in capsys.readouterr().out
    assert lease_is_free(s3, stack.names.bucket)


def test_a_run_cut_by_its_deadline_exits_0_as_deferred_and_the_next_run_completes(
    stack: Provisioned,
    moto_server: LocalAws,
    make_fake: MakeFake,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    s3, sqs = moto_server.client("s3"), moto_server.client("sqs")
    fake = make_fake(FakeConfig(latency=0.05))
    point_at(fake, monkeypatch, EXTRACTOR_RUN_DEADLINE="0.4", EXTRACTOR_CONCURRENCY="2")

    assert main(["run-once"]) == 0  # a clean stop: nobody is paged
    out, err = capsys.readouterr()

    summary = _summary(out)
    assert summary["level"] == "info"
    metrics = {m: summary[m] for m in ("ExtractionSucceeded", "ExtractionFailed")}
    assert metrics == {"ExtractionSucceeded": 0, "ExtractionFailed": 0}
    assert summary["ExtractionDeferred"] == 1
    deferred = summary["deferred_sources"]
    assert isinstance(deferred, list)
    assert deferred  # the sources the deadline left unfinished
    listed = s3.list_objects_v2(Bucket=stack.names.bucket, Prefix=state_key("entities-pending"))
    journal = (
        json.loads(
            s3.get_object(Bucket=stack.names.bucket, Key=state_key("entities-pending"))[
                "Body"
            ].read()
        )
        if listed.get("KeyCount")
        else {}
    )
    left = sum(len(ids) for ids in journal.values())  # the journal as the run left it
    assert summary["deferred_entities"] == left
    # registered but not stored; a source stopped before its end registers nothing yet
    assert left <= len(referenced_entities(fake.catalog) - _stored_entities(stack, s3))
    [line] = [x for x in err.splitlines() if x.startswith(("DEFERRED", "STOPPED", "FAILED"))]
    assert line.startswith("DEFERRED the run deadline (EXTRACTOR_RUN_DEADLINE) was reached")
    assert all(source in line for source in deferred)
    assert f"{left} albums, artists, episodes, shows and tracks" in line
    assert {m.key for m in drain(stack, sqs)} == raw_keys(stack, s3)

    monkeypatch.setenv("EXTRACTOR_RUN_DEADLINE", "3000")
    assert main(["run-once"]) == 0
    summary = _summary(capsys.readouterr().out)
    assert (summary["ExtractionSucceeded"], summary["ExtractionDeferred"]) == (1, 0)

    assert referenced_entities(fake.catalog) <= _stored_entities(stack, s3)
    cursor = s3.get_object(
        Bucket=stack.names.bucket, Key=user_state_key(OWNER_ID, "recently-played")
    )
    newest = max(int(p.played_at.timestamp() * 1000) for p in fake.catalog.plays)
    assert json.loads(cursor["Body"].read())["after"] == newest

"""extractor run-once against the in-process fake Spotify and a moto stack."""

from __future__ import annotations

import json

import pytest
from extractor.main import extract, main
from extractor.outcome import Status
from extractor.settings import ExtractorSettings
from fake_spotify.catalog import OWNER_ID
from fake_spotify.server import FakeSpotify
from spotify_etl.local.provision import Provisioned
from spotify_etl_common.keys import user_state_key
from spotify_etl_common.messages import Source

from tests.conftest import LocalAws
from tests.integration.extractor.conftest import drain, raw_keys

pytestmark = pytest.mark.integration


async def test_run_once_writes_raw_objects_and_one_message_each_then_skips_unchanged(
    stack: Provisioned, extractor_env: FakeSpotify, moto_server: LocalAws
) -> None:
    s3, sqs = moto_server.client("s3"), moto_server.client("sqs")
    fake = extractor_env

    report = await extract(ExtractorSettings())

    assert report.ok, report.summary_lines()
    keys = raw_keys(stack, s3)
    messages = drain(stack, sqs)
    assert sorted(m.key for m in messages) == sorted(keys)
    assert len(messages) == report.objects_written == len(keys)
    # every raw object carries its extraction time, so a replay rebuilds the same message
    for m in messages[:5]:
        head = s3.head_object(Bucket=stack.names.bucket, Key=m.key)
        assert head["Metadata"]["extracted-at"] == m.extracted_at.isoformat()
    own = fake.catalog.own_playlist_ids
    for playlist_id in own:
        snapshot = fake.catalog.playlists[playlist_id].snapshot_id
        pages = [k for k in keys if f"playlist_id={playlist_id}/snapshot_id={snapshot}/page=" in k]
        assert len(pages) == 3  # 120 items, 50 per page
    # which entity kinds the first run's bound reaches depends on which source finishes
    # first; that every referenced album, artist and episode is fetched is asserted below
    assert {m.source for m in messages} - {Source.ALBUMS, Source.ARTISTS, Source.EPISODES} == {
        Source.PLAYLISTS,
        Source.PLAYLIST_ITEMS,
        Source.RECENTLY_PLAYED,
    }
    # what the playlists and plays reference, counted from the fake's catalogue
    catalog = fake.catalog
    entries = [e for p in own for e in catalog.playlists[p].entries]
    tracks = {e.ref for e in entries if e.kind == "track"} | {p.track_id for p in catalog.plays}
    albums = {catalog.tracks[t].album_id for t in tracks if t}
    artists = {a for t in tracks if t for a in catalog.tracks[t].artist_ids}
    artists |= {a for album in albums for a in catalog.albums[album].artist_ids}
    episodes = {e.ref for e in entries if e.kind == "episode"}
    assert episodes
    referenced = len(albums) + len(artists) + len(episodes)
    kinds = (Source.ALBUMS, Source.ARTISTS, Source.EPISODES)
    entity_messages = [m for m in messages if m.source in kinds]
    assert len(entity_messages) == 20 < referenced  # EXTRACTOR_MAX_ENTITIES
    assert all(
        m.key == f"raw/source=episodes/episode_id={m.entity_id}.json"
        for m in entity_messages
        if m.source is Source.EPISODES
    )
    newest = max(int(p.played_at.timestamp() * 1000) for p in fake.catalog.plays)
    cursor = s3.get_object(
        Bucket=stack.names.bucket, Key=user_state_key(OWNER_ID, "recently-played")
    )
    assert json.loads(cursor["Body"].read())["after"] == newest

    second = await extract(ExtractorSettings())

    assert second.ok, second.summary_lines()
    statuses = {o.source: o.status for o in second.outcomes}
    assert all(statuses[f"playlist {p}"] is Status.SKIPPED for p in own)
    assert statuses["recently played"] is Status.SKIPPED
    again = drain(stack, sqs)
    assert {m.source for m in again} <= set(kinds)
    assert len(again) == min(20, referenced - 20)  # what the first run's bound left over
    fetched = {(m.source, m.entity_id) for m in entity_messages + again}
    assert referenced <= 40  # so the two runs fetched every one, episodes included
    assert {i for s, i in fetched if s is Source.EPISODES} == episodes
    assert len(fetched) == referenced
    assert {s for s, _ in fetched} == set(kinds)
    assert not {m.key for m in again} & keys


async def test_recently_played_cursor_advances_to_new_plays(
    stack: Provisioned,
    extractor_env: FakeSpotify,
    moto_server: LocalAws,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("EXTRACTOR_PLAYLISTS", "")
    monkeypatch.setenv("EXTRACTOR_MAX_ENTITIES", "0")
    sqs = moto_server.client("sqs")
    await extract(ExtractorSettings())
    drain(stack, sqs)
    extractor_env.catalog.add_plays(5)

    report = await extract(ExtractorSettings())

    messages = drain(stack, sqs)
    assert [m.source for m in messages] == [Source.RECENTLY_PLAYED]
    body = moto_server.client("s3").get_object(Bucket=stack.names.bucket, Key=messages[0].key)
    assert len(json.loads(body["Body"].read())["items"]) == 5
    assert report.ok


async def test_changed_playlist_is_extracted_again_under_its_new_snapshot(
    stack: Provisioned,
    extractor_env: FakeSpotify,
    moto_server: LocalAws,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    playlist_id = extractor_env.catalog.own_playlist_ids[0]
    monkeypatch.setenv("EXTRACTOR_PLAYLISTS", playlist_id)
    monkeypatch.setenv("EXTRACTOR_RECENTLY_PLAYED", "false")
    monkeypatch.setenv("EXTRACTOR_MAX_ENTITIES", "0")
    sqs = moto_server.client("sqs")
    await extract(ExtractorSettings())
    drain(stack, sqs)
    snapshot = extractor_env.catalog.touch(playlist_id)

    await extract(ExtractorSettings())

    messages = drain(stack, sqs)
    assert {m.snapshot_id for m in messages} == {snapshot}
    assert len(messages) == 4  # 121 items: three pages and the metadata


def test_run_once_exits_non_zero_naming_each_bad_playlist_while_others_complete(
    stack: Provisioned,
    extractor_env: FakeSpotify,
    moto_server: LocalAws,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    catalog = extractor_env.catalog
    others = [p.id for p in catalog.playlists.values() if p.id not in catalog.own_playlist_ids]
    configured = [
        f"https://open.spotify.com/playlist/{catalog.own_playlist_ids[0]}?si=abc",
        others[0],
        "37i9dQZF1DXcBWIGoYBM5M",
        "not-a-playlist",
    ]
    monkeypatch.setenv("EXTRACTOR_PLAYLISTS", ",".join(configured))
    monkeypatch.setenv("EXTRACTOR_RECENTLY_PLAYED", "false")

    code = main(["run-once"])

    err = capsys.readouterr().err
    assert code == 1
    failed_lines = [line for line in err.splitlines() if line.startswith("FAILED")]
    assert len(failed_lines) == 3
    assert any(others[0] in line and "February 2026" in line for line in failed_lines)
    assert any(
        "37i9dQZF1DXcBWIGoYBM5M" in line and "November 2024" in line for line in failed_lines
    )
    assert any("'not-a-playlist'" in line for line in failed_lines)
    assert "2 extracted" in err  # the good playlist, then its albums and artists
    keys = raw_keys(stack, moto_server.client("s3"))
    assert any(catalog.own_playlist_ids[0] in k for k in keys)


def test_wrong_client_secret_fails_the_run_with_one_clear_line(
    stack: Provisioned,
    extractor_env: FakeSpotify,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("SPOTIFY_CLIENT_SECRET", "wrong")

    code = main(["run-once"])

    failed_lines = [ln for ln in capsys.readouterr().err.splitlines() if ln.startswith("FAILED")]
    assert code == 1
    [line] = failed_lines  # the user's /me: none of the user's sources can run
    assert "SPOTIFY_CLIENT_ID/SPOTIFY_CLIENT_SECRET" in line
    assert "developer dashboard" in line


def test_missing_scopes_name_the_scope_for_each_user_source(
    stack: Provisioned,
    extractor_env: FakeSpotify,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("SPOTIFY_REFRESH_TOKEN", "fake-refresh-token-no-scopes")

    code = main(["run-once"])

    failed_lines = [ln for ln in capsys.readouterr().err.splitlines() if ln.startswith("FAILED")]
    assert code == 1
    assert sum("playlist-read-private" in line for line in failed_lines) == 2
    assert sum("user-read-recently-played" in line for line in failed_lines) == 1


async def test_injected_server_errors_are_retried_without_losing_a_page(
    stack: Provisioned, moto_server: LocalAws, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fake_spotify.catalog import CatalogSpec, build_catalog
    from fake_spotify.server import FakeConfig

    catalog = build_catalog(CatalogSpec(playlists=2, items=300, plays=0))
    with FakeSpotify(catalog, FakeConfig(error_rate=0.15, seed=3)) as flaky:
        for key, value in {
            "SPOTIFY_CLIENT_ID": "fake-client-id",
            "SPOTIFY_CLIENT_SECRET": "fake-client-secret",
            "SPOTIFY_REFRESH_TOKEN": "fake-refresh-token",
            "SPOTIFY_API_URL": flaky.api_url,
            "SPOTIFY_ACCOUNTS_URL": flaky.url,
            "EXTRACTOR_PLAYLISTS": ",".join(catalog.own_playlist_ids),
            "EXTRACTOR_MAX_ENTITIES": "0",
            "EXTRACTOR_MAX_ATTEMPTS": "8",
        }.items():
            monkeypatch.setenv(key, value)
        report = await extract(ExtractorSettings())
        injected = flaky.stats["injected_errors"]

    assert report.ok, report.summary_lines()
    assert injected > 0
    assert report.counters.server_errors == injected
    s3 = moto_server.client("s3")
    items = 0
    for key in raw_keys(stack, s3):
        if "source=playlist_items" in key:
            body = s3.get_object(Bucket=stack.names.bucket, Key=key)["Body"].read()
            items += len(json.loads(body)["items"])
    assert items == 600

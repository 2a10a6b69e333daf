"""The token goes only to the configured API's host over https: links elsewhere are rebuilt."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from datetime import UTC, datetime

import pytest
from extractor.main import main
from extractor.run import RunPlan
from extractor.settings import ExtractorSettings
from extractor.sources.library import LibraryPlan, LibrarySource
from extractor.sources.refs import parse_playlist_refs
from extractor.spotify.hosts import check_base_url, may_follow, next_request, parse_hosts
from extractor.spotify.tokens import TokenKind
from fake_spotify.api import FakeConfig, FakeWebApi
from fake_spotify.catalog import OWNER_ID, CatalogSpec, build_catalog
from spotify_etl_common.errors import PermanentError
from spotify_etl_common.keys import playlist_items_key
from spotify_etl_common.sources import Source

from tests.unit.extractor.conftest import FakeApi, make_client
from tests.unit.extractor.library_doubles import (
    ACCOUNTS,
    API,
    FakeTransport,
    MemorySink,
    MemoryStore,
    run,
)

STARTED = datetime(2026, 11, 24, 12, tzinfo=UTC)
OLD_API = "https://old-api.test/v1"
ELSEWHERE = "https://elsewhere.test/v1"
ALLOWED = {"https://api.test", ACCOUNTS}


@pytest.mark.parametrize(
    "url",
    [
        "https://api.spotify.com/v1",
        "http://127.0.0.1:8123/v1",
        "http://localhost:9/v1",
        "http://[::1]:9/v1",
    ],
)
def test_base_urls_are_https_or_loopback(url: str) -> None:
    assert check_base_url(url) == url


@pytest.mark.parametrize(
    "url", ["http://api.spotify.com/v1", "ftp://api.spotify.com/v1", "api.spotify.com/v1", ""]
)
def test_other_base_urls_are_refused_saying_what_is_expected(url: str) -> None:
    with pytest.raises(ValueError, match="must be an https URL"):
        check_base_url(url)


@pytest.mark.parametrize(
    ("link", "follow"),
    [
        ("https://api.test/v1/playlists/p/items?offset=50", True),
        ("https://API.test:443/v1/me/tracks?offset=50", True),
        ("http://api.test/v1/me/tracks?offset=50", False),  # a downgrade to plain http
        ("https://old-api.test/v1/me/tracks?offset=50", False),
        ("https://api.test:8443/v1/me/tracks", False),
        ("https://api.test@elsewhere.test/v1/me/tracks", False),
        ("/v1/me/tracks?offset=50", False),
    ],
)
def test_a_link_is_followed_only_on_the_apis_own_origin_over_https(link: str, follow: bool) -> None:
    assert may_follow(link, API) is follow


def test_a_named_host_may_be_plain_http_too() -> None:
    named = frozenset({"fake-spotify"})
    assert check_base_url("http://fake-spotify:8080/v1", named)
    with pytest.raises(ValueError, match="SPOTIFY_PLAIN_HTTP_HOSTS"):
        check_base_url("http://fake-spotify:8080/v1")
    assert parse_hosts(" Fake-Spotify ,, other ") == {"fake-spotify", "other"}
    settings = ExtractorSettings.model_validate(
        REQUIRED
        | {
            "SPOTIFY_API_URL": "http://fake-spotify:8080/v1",
            "SPOTIFY_PLAIN_HTTP_HOSTS": "fake-spotify",
        }
    )
    assert settings.spotify_api_url == "http://fake-spotify:8080/v1"


def test_a_loopback_api_follows_its_own_plain_http_links_only() -> None:
    assert may_follow("http://127.0.0.1:8123/v1/me/tracks", "http://127.0.0.1:8123/v1")
    assert not may_follow("http://127.0.0.1:9999/v1/me/tracks", "http://127.0.0.1:8123/v1")


def test_a_foreign_link_is_rebuilt_from_the_offset_or_the_cursor() -> None:
    offset = {"limit": 50, "offset": 0}
    assert next_request(None, API, "/me/tracks", offset, 50) is None
    link = f"{API}/me/tracks?offset=50&limit=50"
    assert next_request(link, API, "/me/tracks", offset, 50) == (link, None)
    foreign = f"{ELSEWHERE}/me/tracks?offset=9999&limit=50"
    assert next_request(foreign, API, "/me/tracks", offset, 100) == (
        "/me/tracks",
        {"limit": 50, "offset": 100},
    )
    cursor = {"type": "artist", "limit": 50}
    assert next_request(
        f"{ELSEWHERE}/me/following?after=abc", API, "/me/following", cursor, 50
    ) == (
        "/me/following",
        {"type": "artist", "limit": 50, "after": "abc"},
    )
    with pytest.raises(PermanentError, match=r"elsewhere\.test"):
        next_request(f"{ELSEWHERE}/me/following", API, "/me/following", cursor, 50)


def test_a_playlist_stored_by_a_run_with_another_api_url_resumes_on_the_new_one() -> None:
    catalog = build_catalog(CatalogSpec(playlists=1, items=120, plays=0))
    [playlist_id] = catalog.own_playlist_ids
    snapshot = catalog.playlists[playlist_id].snapshot_id
    plan = RunPlan(playlists=parse_playlist_refs(playlist_id), max_entities=0)
    store = MemoryStore()
    # the first run, on the old API URL, is cut by the quota after /me, the metadata and 2 pages
    old = FakeTransport(FakeWebApi(catalog, FakeConfig(daily_quota=4)), link_base=OLD_API)
    cut = asyncio.run(run(old, store, MemorySink(), plan, STARTED, api=OLD_API))
    assert cut.quota is not None
    stored = [playlist_items_key(playlist_id, snapshot, n, OWNER_ID) for n in range(3)]
    assert [k in store.objects for k in stored] == [True, True, False]

    sink = MemorySink()
    new = FakeTransport(FakeWebApi(catalog))
    report = asyncio.run(run(new, store, sink, plan, STARTED))

    assert report.ok, report.summary_lines()
    assert set(new.origins) == ALLOWED  # the token never went to the old host
    assert new.paths[f"/playlists/{playlist_id}/items"] == 1  # only the missing page
    pages = [json.loads(store.objects[k]) for k in stored]
    assert sum(len(p["items"]) for p in pages) == 120
    assert sorted(m.key for m in sink.messages if m.source is Source.PLAYLIST_ITEMS) == stored


def library(source: LibrarySource) -> RunPlan:
    return RunPlan(library=LibraryPlan(sources=(source,)))


BIG = CatalogSpec(playlists=2, items=2, plays=0, saved_tracks=120, top_items=60)
LISTINGS = {  # each listing long enough for several pages
    "saved tracks (offset)": (library(LibrarySource.SAVED_TRACKS), BIG),
    "top items (offset, per time range)": (library(LibrarySource.TOP_ITEMS), BIG),
    "followed artists (cursor)": (
        library(LibrarySource.FOLLOWED_ARTISTS),
        CatalogSpec(playlists=2, items=2, plays=0, saved_tracks=1000, followed_artists=60),
    ),
    "my playlists and their items (offset)": (
        RunPlan(library=LibraryPlan(mine=True)),
        CatalogSpec(playlists=52, items=2, plays=0),
    ),
}


@pytest.mark.parametrize("link_base", [ELSEWHERE, "http://api.test/v1"])
@pytest.mark.parametrize("listing", list(LISTINGS))
def test_library_listings_never_follow_links_off_the_api_host(listing: str, link_base: str) -> None:
    plan, spec = LISTINGS[listing]

    def paths(base: str) -> Counter[str]:
        transport = FakeTransport(FakeWebApi(build_catalog(spec)), link_base=base)
        report = asyncio.run(run(transport, MemoryStore(), MemorySink(), plan, STARTED))
        assert report.ok, report.summary_lines()
        assert set(transport.origins) == ALLOWED
        return transport.paths

    honest = paths(API)
    assert max(honest.values()) > 1  # the listing has several pages: links were needed
    assert paths(link_base) == honest  # every page asked again on the API itself


async def test_the_client_refuses_an_absolute_url_off_the_api_host_before_sending() -> None:
    api = FakeApi()
    client = make_client(api)
    with pytest.raises(PermanentError, match=r"elsewhere\.test"):
        await client.get(f"{ELSEWHERE}/me/tracks", token=TokenKind.USER)
    assert api.requests == []
    assert api.token_requests == []


REQUIRED = {
    "SPOTIFY_CLIENT_ID": "id",
    "SPOTIFY_CLIENT_SECRET": "secret",
    "SPOTIFY_ETL_BUCKET": "bucket",
    "SPOTIFY_ETL_TRANSFORM_QUEUE": "t",
    "SPOTIFY_ETL_CATALOG_QUEUE": "c",
}


@pytest.mark.parametrize("variable", ["SPOTIFY_API_URL", "SPOTIFY_ACCOUNTS_URL"])
def test_a_plain_http_spotify_url_is_a_configuration_error_naming_the_variable(
    variable: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name, value in (REQUIRED | {variable: "http://spotify.example.com"}).items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SystemExit) as exited:
        main(["run-once"])
    assert exited.value.code == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert line.startswith(f"configuration error: {variable} is invalid")
    assert "https" in line

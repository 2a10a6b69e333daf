"""``spotify-etl report`` looked at as a person would: the page opened in a real headless
Chromium (Debian's package) with the network blocked.

The lake: an extractor run against the fake Spotify (playlists, recently played, the
library, top items) and an imported generated export of two years, transformed by the
transformer process. The page must draw every chart with no console error and no request
leaving the file, and its year card must say what the views say. A screenshot of the
whole page at a laptop's width is kept in ``tests/artifacts/`` (its path is printed).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from fake_spotify.catalog import CatalogSpec, build_catalog
from fake_spotify.history_export import extended_download, listening
from fake_spotify.server import FakeConfig, FakeSpotify
from spotify_etl.local.provision import Provisioned
from spotify_etl.report.datasets import DATASETS
from spotify_etl.report.figures import FIGURES

from tests.conftest import LocalAws
from tests.e2e.test_pipeline import query, run, run_workers, service_env

pytestmark = pytest.mark.e2e

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LAPTOP = {"width": 1366, "height": 900}
ARTIFACTS = Path(__file__).parents[1] / "artifacts"
YEAR = 2024


@pytest.fixture
def fake() -> Iterator[FakeSpotify]:
    spec = CatalogSpec(playlists=1, items=10, plays=30, saved_tracks=40)
    with FakeSpotify(build_catalog(spec), FakeConfig()) as server:
        yield server


@pytest.fixture
def report(
    moto_server: LocalAws, stack: Provisioned, fake: FakeSpotify, tmp_path: Path
) -> tuple[Path, str]:
    """The lake built, then the report written by the CLI as a process; its path and output."""
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (apt-get install -y chromium; CI has it)")
    env = service_env(moto_server, stack, fake) | {
        "EXTRACTOR_LIBRARY": "all",
        "SPOTIFY_ETL_STATE_DIR": str(tmp_path / "state"),  # no local stack: the env's endpoint
    }
    run(["extractor", "run-once"], env)
    plays = listening(1_500, seed=5, start=datetime(2023, 1, 1, tzinfo=UTC), mean_gap_s=40_000)
    assert {p.ts.year for p in plays} >= {2023, 2024}
    export = extended_download(plays, tmp_path / "my_spotify_data.zip", "audio", 15_000)
    run(["spotify-etl", "import-history", str(export)], env)
    run_workers(env)
    out = tmp_path / "report.html"
    printed = run(
        ["spotify-etl", "report", "--out", str(out), "--tz", "UTC", "--year", str(YEAR)], env
    )
    return out, printed


def open_offline(path: Path, screenshot: Path) -> dict[str, Any]:
    """Open ``path`` in Chromium with every request but the file's own failed; what the page
    showed, said and asked for, and a full-page screenshot at a laptop's width."""
    from playwright.sync_api import Route, sync_playwright

    seen: dict[str, Any] = {"errors": [], "requests": [], "blocked": []}

    def block(route: Route) -> None:
        if route.request.url == path.as_uri():
            route.continue_()
        else:
            seen["blocked"].append(route.request.url)
            route.abort()

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport=LAPTOP)
            page.on(
                "console", lambda m: seen["errors"].append(m.text) if m.type == "error" else None
            )
            page.on("pageerror", lambda error: seen["errors"].append(str(error)))
            page.on("request", lambda request: seen["requests"].append(request.url))
            page.route("**/*", block)
            page.goto(path.as_uri())
            page.wait_for_selector("body[data-ready]", timeout=60_000)
            seen["figures"] = page.eval_on_selector_all(
                "[data-figure]",
                """els => els.map(el => {
                    const svg = el.querySelector('.vis svg');
                    const box = svg ? svg.getBoundingClientRect() : {width: 0, height: 0};
                    return {key: el.dataset.figure, drawn: el.dataset.drawn || null,
                            empty: el.hasAttribute('data-empty'),
                            marks: el.querySelectorAll('.vis g.role-mark > *').length,
                            width: box.width, height: box.height};
                })""",
            )
            seen["card"] = page.eval_on_selector_all(
                "#year-card dd[data-field]",
                "els => Object.fromEntries(els.map(e => [e.dataset.field, "
                "[e.dataset.value, e.textContent]]))",
            )
            seen["tops"] = page.eval_on_selector_all(
                "#year-card ol[data-list]",
                "els => Object.fromEntries(els.map(ol => [ol.dataset.list, "
                "[...ol.querySelectorAll('li')].map(li => "
                "[li.querySelector('.name').textContent, Number(li.dataset.plays)])]))",
            )
            seen["data"] = json.loads(page.inner_text("#report-data"))
            seen["page_width"] = page.evaluate("document.documentElement.scrollWidth")
            page.screenshot(path=str(screenshot), full_page=True)
        finally:
            browser.close()
    return seen


def test_the_report_draws_every_chart_offline_and_its_year_card_says_what_the_views_say(
    moto_server: LocalAws, stack: Provisioned, report: tuple[Path, str]
) -> None:
    path, printed = report
    assert f"report: {path} (" in printed
    ARTIFACTS.mkdir(exist_ok=True)
    screenshot = ARTIFACTS / "report.png"
    seen = open_offline(path, screenshot)
    print(f"screenshot of the report: {screenshot}")

    assert seen["errors"] == []
    assert seen["blocked"] == []
    assert set(seen["requests"]) == {path.as_uri()}
    assert seen["page_width"] <= LAPTOP["width"]  # nothing wider than a laptop's screen
    assert [f["key"] for f in seen["figures"]] == [f.key for f in FIGURES]
    for figure in seen["figures"]:
        assert not figure["empty"], figure
        assert figure["drawn"] == "true", figure
        assert figure["marks"] > 0, figure
        assert figure["width"] > 0, figure
        assert figure["height"] > 0, figure
    assert set(seen["data"]) == {d.key for d in DATASETS}

    bucket = stack.names.bucket
    [row] = query(moto_server, bucket, f"SELECT * FROM year_summary WHERE year = {YEAR}")
    (_, plays, minutes, _, artists, tracks, day, _, streak, _, _) = row
    card = seen["card"]
    assert card["plays"] == [str(plays), f"{plays:,}"]
    assert float(card["minutes"][0]) == minutes
    assert card["minutes"][1] == f"{round(minutes):,}"
    assert card["distinct_artists"] == [str(artists), f"{artists:,}"]
    assert card["distinct_tracks"] == [str(tracks), f"{tracks:,}"]
    assert isinstance(day, date)
    assert card["most_played_day"][0] == day.isoformat()
    assert card["longest_streak_days"] == [str(streak), f"{streak} day{'s' if streak > 1 else ''}"]
    for view, name, key in (
        ("yearly_top_artists", "artist_name", "top_artists"),
        ("yearly_top_tracks", "track_name", "top_tracks"),
    ):
        top = query(
            moto_server,
            bucket,
            f"SELECT {name}, plays FROM {view} WHERE year = {YEAR} AND rank <= 5 ORDER BY rank",
        )
        assert [tuple(t) for t in seen["tops"][key]] == [(n, p) for n, p in top]
        assert len(top) == 5

"""The report page from data sets' records: the year card, the figures' specs and notes, and a
page that carries every script and datum inline (pure: no engine, no browser)."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from spotify_etl.report.build import build_report, headline
from spotify_etl.report.datasets import DATASETS
from spotify_etl.report.figures import FIGURES
from spotify_etl.report.page import json_script, plural
from spotify_etl.report.year_card import choose_year, year_card
from spotify_etl.report.zones import Zone

PARIS = Zone("Europe/Paris", "--tz")


def summary(year: int, plays: int, minutes: float | None, without: int = 0) -> dict[str, Any]:
    return {
        "year": year,
        "plays": plays,
        "minutes": minutes,
        "plays_without_minutes": without,
        "distinct_artists": 12,
        "distinct_tracks": 40,
        "most_played_day": f"{year}-03-02",
        "most_played_day_plays": 1,
        "longest_streak_days": 4,
        "streak_start": f"{year}-05-01",
        "streak_end": f"{year}-05-04",
    }


def ranked(year: int, rank: int, name: str, **extra: Any) -> dict[str, Any]:
    return {"year": year, "rank": rank, "plays": 20 - rank, "minutes": 60.0 - rank, **extra}


def sample() -> dict[str, list[dict[str, Any]]]:
    """A record or two of every data set: two years, export and recently played."""
    data: dict[str, list[dict[str, Any]]] = {d.key: [] for d in DATASETS}
    data["year_summary"] = [summary(2024, 300, 900.5), summary(2025, 50, None, 50)]
    data["listening_time"] = [
        {
            "month": "2024-01-01",
            "origin": "export",
            "plays": 300,
            "minutes": 900.5,
            "plays_without_minutes": 0,
        },
        {
            "month": "2025-02-01",
            "origin": "recently_played",
            "plays": 50,
            "minutes": None,
            "plays_without_minutes": 50,
        },
    ]
    data["top_artists"] = [
        ranked(y, r, f"Artist {y}-{r}", artist_name=f"Artist {y}-{r}")
        for y in (2024, 2025)
        for r in range(1, 11)
    ]
    data["top_tracks"] = [
        ranked(2024, r, "", track_name=f"Song {r}", artist_name="Band") for r in range(1, 8)
    ]
    data["listening_clock"] = [{"weekday": 1, "hour": 8, "plays": 3, "minutes": None}]
    data["session_lengths"] = [{"band_order": 1, "band": "under 15 min", "sessions": 4, "plays": 9}]
    data["longest_sessions"] = [
        {
            "length_rank": 1,
            "session_start": "2024-03-02T21:14:05",
            "session_end": "2024-03-02T23:00:00",
            "length_minutes": 106.0,
            "plays": 25,
            "minutes": 100.0,
        }
    ]
    data["discoveries"] = [
        {
            "month": "2024-01-01",
            "new_artists": 3,
            "artists_so_far": 3,
            "top_newcomer": "Björk",
            "top_newcomer_plays": 12,
        }
    ]
    data["taste_changes"] = [
        {
            "item_type": "artist",
            "time_range": "long_term",
            "snapshot_number": 1,
            "taken_at": "2026-12-04T13:29:00",
            "entered": 0,
            "left_items": 0,
            "stayed": 0,
            "items": 3,
        }
    ]
    data["taste_ranks"] = [
        {
            "item_type": "artist",
            "time_range": "long_term",
            "snapshot_number": 1,
            "taken_at": "2026-12-04T13:29:00",
            "name": "</script><b>x",
            "rank": 1,
            "previous_rank": None,
            "change": "first",
        }
    ]
    return data


def build(data: dict[str, list[dict[str, Any]]], year: int | None = None) -> Any:
    return build_report(
        data,
        zone=PARIS,
        year=year,
        engine="DuckDB",
        generated_at=datetime(2026, 12, 4, 13, 0),
        vega_script="window.vegaEmbed = () => Promise.resolve(); // </script> inside",
        vega_lite="6.4",
    )


def embedded(html: str, element_id: str) -> Any:
    match = re.search(rf'<script type="application/json" id="{element_id}">(.*?)</script>', html)
    assert match, element_id
    return json.loads(match.group(1))


def test_the_page_embeds_every_data_set_as_json_keyed_by_data_set() -> None:
    data = sample()
    html = build(data).html
    assert embedded(html, "report-data") == data


def test_nothing_in_a_datum_or_the_script_can_close_its_script_element() -> None:
    html = build(sample()).html
    assert html.count("</script>") == html.count("<script")
    assert "\\u003c/script>\\u003cb>x" in json_script("d", {"name": "</script><b>x"})


def test_specs_name_their_data_and_carry_nothing_to_fetch() -> None:
    html = build(sample()).html
    specs = embedded(html, "report-specs")
    text = json.dumps(specs)
    assert "http" not in text
    assert '"url"' not in text
    assert '"values"' not in text
    for figure in FIGURES:
        if figure.key in specs:
            names = set(
                re.findall(r'"data": \{"name": "([a-z_]+)"\}', json.dumps(specs[figure.key]))
            )
            assert names == set(figure.datasets), figure.key


def test_a_figure_without_rows_says_why_instead_of_drawing() -> None:
    report = build(sample())
    section = re.search(r'<section[^>]*id="library_growth".*?</section>', report.html, re.S)
    assert section is not None
    assert "data-empty" in section.group(0)
    assert 'class="vis"' not in section.group(0)
    assert "EXTRACTOR_LIBRARY=saved_tracks,saved_albums" in section.group(0)
    assert report.charts == len(FIGURES) - 3  # library, skips by hour and by platform


def test_minutes_unknown_are_said_so_on_the_chart_and_the_card() -> None:
    data = sample()
    html = build(data).html
    assert "50 plays from recently played have no minutes" in html
    card = re.search(r'<section class="card".*?</section>', html, re.S)
    assert card is not None
    assert 'data-field="minutes" data-value="">unknown</dd>' in card.group(0)
    data["listening_time"] = data["listening_time"][1:]
    assert "Minutes unknown: every play so far comes from recently played" in build(data).html


def test_the_year_card_is_the_latest_year_unless_one_is_asked_for() -> None:
    data = sample()
    assert choose_year(data["year_summary"], None) == 2025
    card = year_card(2024, data["year_summary"], data["top_artists"], data["top_tracks"])
    assert [a.name for a in card.top_artists] == [f"Artist 2024-{r}" for r in range(1, 6)]
    assert [t.detail for t in card.top_tracks] == ["Band"] * 5
    html = build(data, 2024).html
    assert 'data-field="minutes" data-value="900.5">900</dd>' in html
    assert 'data-field="plays" data-value="300">300</dd>' in html
    assert "Sat 2 Mar 2024" in html
    assert "1 play<" in html
    assert "1 May 2024 to 4 May 2024" in html
    assert "Other years: 2025" in html


def test_a_year_without_plays_gets_a_card_saying_so() -> None:
    html = build(sample(), 2019).html
    assert "No play that counts in 2019." in html
    assert "Other years: 2024, 2025" in html


@pytest.mark.parametrize(
    ("count", "text"), [(1, "1 play"), (2, "2 plays"), (12345, "12,345 plays")]
)
def test_plural(count: int, text: str) -> None:
    assert plural(count, "play") == text


def test_headline_sums_the_years_and_says_when_minutes_are_unknown() -> None:
    data = sample()
    assert headline(data) == "350 plays that count, 2024-01 to 2025-02; 15 hours listened."
    data["year_summary"] = [summary(2025, 50, None, 50)]
    assert headline(data).endswith("minutes unknown.")


def test_the_vega_bundle_is_read_from_the_cache_once_made(tmp_path: Path) -> None:
    """vl-convert's bundle takes seconds of CPU to make: a report reuses the one kept."""
    from importlib import metadata

    import altair as alt
    from spotify_etl.report.commands import vega_bundle

    version = alt.SCHEMA_VERSION.lstrip("v").rsplit(".", 1)[0]
    kept = tmp_path / f"vega-bundle-{metadata.version('vl-convert-python')}-vl{version}.js"
    kept.write_text("/* the kept bundle */")
    assert vega_bundle(tmp_path) == ("/* the kept bundle */", version)

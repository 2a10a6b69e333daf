"""Query results rendered as a table, CSV or JSON lines."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from spotify_etl.query.output import render

COLUMNS = ("song_id", "song_added", "popularity")
ROWS = [("T1", datetime(2026, 11, 10, 12, tzinfo=UTC), 20), ("T22", None, None)]


def test_table_aligns_columns_and_counts_rows() -> None:
    assert render("table", COLUMNS, ROWS) == "\n".join(
        [
            "song_id | song_added                | popularity",
            "--------+---------------------------+-----------",
            "T1      | 2026-11-10T12:00:00+00:00 | 20",
            "T22     |                           |",
            "(2 rows)",
        ]
    )


def test_csv_has_a_header_and_empty_fields_for_null() -> None:
    assert render("csv", ("a", "b"), [("x,y", None), ("z", date(2026, 1, 2))]) == (
        'a,b\n"x,y",\n' + "z,2026-01-02"
    )


def test_json_is_one_object_per_row_with_iso_times() -> None:
    assert render("json", COLUMNS, ROWS).splitlines() == [
        '{"song_id": "T1", "song_added": "2026-11-10T12:00:00+00:00", "popularity": 20}',
        '{"song_id": "T22", "song_added": null, "popularity": null}',
    ]


def test_unknown_format_is_refused_with_the_choices() -> None:
    with pytest.raises(ValueError, match="use one of table, csv, json"):
        render("xml", COLUMNS, ROWS)


def test_table_aligns_wide_and_combining_characters_by_display_width() -> None:
    rows = [("宇多田ヒカル", "初恋"), ("Beyonce\u0301", "🎵🔥"), ("abc", "x")]
    lines = render("table", ("artist", "song"), rows).splitlines()
    assert lines == [
        "artist       | song",
        "-------------+-----",
        "宇多田ヒカル | 初恋",
        "Beyonce\u0301      | 🎵🔥",
        "abc          | x",
        "(3 rows)",
    ]

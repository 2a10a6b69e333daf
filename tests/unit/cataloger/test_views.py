"""The packaged view files: named, described, one SELECT each."""

from __future__ import annotations

import pytest
from cataloger.views import View, create_view_sql, load_views, parse_view


def test_every_packaged_view_loads_with_a_description() -> None:
    views = load_views()
    assert [v.name for v in views] == [
        "album",
        "artist",
        "listening_by_hour",
        "playlist_changes",
        "songs",
        "top_artists",
        "top_tracks",
    ]
    assert all(v.description and not v.select.endswith(";") for v in views)


def test_parse_view_takes_the_first_comment_as_description() -> None:
    assert parse_view("x", "-- The x view.\n-- more\nSELECT 1 AS a;\n") == View(
        "x", "The x view.", "SELECT 1 AS a"
    )


def test_a_view_without_a_description_line_is_refused() -> None:
    with pytest.raises(ValueError, match="must start with a '-- description' line"):
        parse_view("x", "SELECT 1")


def test_a_view_that_is_not_a_select_is_refused() -> None:
    with pytest.raises(ValueError, match="one SELECT"):
        parse_view("x", "-- drop\nDROP TABLE albums")


def test_create_view_sql_creates_or_replaces() -> None:
    assert create_view_sql(View("x", "d", "SELECT 1")) == "CREATE OR REPLACE VIEW x AS\nSELECT 1"

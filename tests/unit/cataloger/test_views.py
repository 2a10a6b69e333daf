"""The packaged view files: named, described, one SELECT each, in dependency order."""

from __future__ import annotations

import pytest
from spotify_etl_views import (
    View,
    create_view_sql,
    dependency_order,
    load_views,
    parse_view,
    referenced_names,
)

TABLES = ("tracks", "plays")


def view(name: str, select: str) -> View:
    return View(name, f"The {name} view.", select)


def test_every_packaged_view_loads_with_a_description() -> None:
    views = load_views()
    assert sorted(v.name for v in views) == [
        "affinity",
        "album",
        "artist",
        "artist_discoveries",
        "complete_playlist_snapshots",
        "current_playlist_items",
        "current_saved_items",
        "distinct_plays",
        "followed_artists_current",
        "household_top_artists",
        "household_top_tracks",
        "latest_albums",
        "latest_artists",
        "latest_track_artists",
        "latest_tracks",
        "library_albums",
        "library_growth",
        "library_shows",
        "library_tracks",
        "lifetime_top_artists",
        "lifetime_top_tracks",
        "listening_by_day",
        "listening_by_hour",
        "listening_by_month",
        "listening_clock",
        "listening_sessions",
        "monthly_listening",
        "play_items",
        "playlist_changes",
        "report_plays",
        "session_lengths",
        "skip_rate_by_hour_and_platform",
        "skips_by_hour",
        "skips_by_platform",
        "songs",
        "taste_drift",
        "top_artists",
        "top_item_changes",
        "top_item_ranks",
        "top_item_snapshots",
        "top_items_latest",
        "top_tracks",
        "track_activity",
        "year_summary",
        "yearly_top_artists",
        "yearly_top_tracks",
    ]
    assert all(v.description and not v.select.endswith(";") for v in views)


def test_packaged_views_come_after_the_base_views_they_select_from() -> None:
    names = [v.name for v in load_views()]
    for dependent, base in [
        ("album", "latest_albums"),
        ("artist", "latest_artists"),
        ("songs", "latest_tracks"),
        ("songs", "latest_track_artists"),
        ("track_activity", "current_playlist_items"),
        ("current_playlist_items", "complete_playlist_snapshots"),
        ("playlist_changes", "complete_playlist_snapshots"),
        ("track_activity", "distinct_plays"),
        ("top_tracks", "track_activity"),
        ("top_artists", "track_activity"),
        ("top_artists", "latest_track_artists"),
        ("listening_by_hour", "distinct_plays"),
        ("report_plays", "play_items"),
        ("year_summary", "report_plays"),
        ("session_lengths", "listening_sessions"),
        ("skips_by_platform", "skip_rate_by_hour_and_platform"),
        ("top_item_changes", "top_item_ranks"),
    ]:
        assert names.index(base) < names.index(dependent), (dependent, base)


def test_referenced_names_are_the_tables_and_views_selected_from_not_ctes() -> None:
    songs = view(
        "songs",
        "WITH latest AS (SELECT * FROM tracks) "
        "SELECT * FROM latest JOIN base AS b ON b.id = latest.id "
        "WHERE latest.id IN (SELECT track_id FROM plays)",
    )
    assert referenced_names(songs) == {"tracks", "base", "plays"}


def test_dependency_order_puts_each_view_after_its_views_and_ties_by_name() -> None:
    views = [
        view("top", "SELECT * FROM mid JOIN base_b USING (id)"),
        view("mid", "SELECT * FROM base_a"),
        view("base_b", "SELECT * FROM plays"),
        view("base_a", "SELECT * FROM tracks"),
        view("alone", "SELECT 1 AS one"),
    ]
    ordered = dependency_order(views, TABLES)
    assert [v.name for v in ordered] == ["alone", "base_a", "base_b", "mid", "top"]


def test_a_cycle_of_views_is_refused_naming_the_cycle() -> None:
    views = [
        view("a", "SELECT * FROM b"),
        view("b", "SELECT * FROM c"),
        view("c", "SELECT * FROM a JOIN tracks USING (id)"),
        view("d", "SELECT * FROM a"),
    ]
    with pytest.raises(ValueError, match=r"in a cycle: a -> b -> c -> a;"):
        dependency_order(views, TABLES)


def test_a_view_selecting_from_itself_is_a_cycle() -> None:
    with pytest.raises(ValueError, match=r"in a cycle: a -> a;"):
        dependency_order([view("a", "SELECT * FROM a")], TABLES)


def test_a_view_selecting_from_an_unknown_name_is_refused_naming_it() -> None:
    views = [view("songs", "SELECT * FROM latest_trakcs JOIN tracks USING (id)")]
    with pytest.raises(ValueError, match="view songs selects from latest_trakcs: neither a view"):
        dependency_order(views, TABLES)


def test_a_view_whose_sql_cannot_be_read_is_refused_naming_it() -> None:
    with pytest.raises(ValueError, match="view broken: cannot read its SQL"):
        dependency_order([view("broken", "SELECT (1 FROM tracks")], TABLES)


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

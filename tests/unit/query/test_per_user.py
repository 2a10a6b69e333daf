"""``query --user``: the statement is rewritten to read one user's rows of every user-scoped
table, through every view it names, and nothing else changes."""

from __future__ import annotations

import pytest
import sqlglot
from spotify_etl.query.per_user import for_user
from spotify_etl_views import View, load_views
from sqlglot import exp

VIEWS = [
    View(
        "mine",
        "Plays with names.",
        "SELECT p.*, t.name FROM plays AS p JOIN tracks AS t ON t.track_id = p.track_id",
    ),
    View(
        "counted", "Per track.", "SELECT user_id, track_id, count(*) AS n FROM mine GROUP BY 1, 2"
    ),
]


def tables_read(sql: str) -> list[str]:
    return sorted(t.name for t in sqlglot.parse_one(sql, read="duckdb").find_all(exp.Table))


def test_a_user_scoped_table_is_read_through_a_filter_keeping_its_alias() -> None:
    sql = for_user("SELECT p.track_id FROM plays AS p", "alice", [], "duckdb", "main")
    assert sql == "SELECT p.track_id FROM (SELECT * FROM main.plays WHERE user_id = 'alice') AS p"


def test_views_are_inlined_down_to_tables_and_only_user_scoped_ones_are_filtered() -> None:
    sql = for_user("SELECT * FROM counted", "bob", VIEWS, "duckdb", "main")
    assert "WHERE user_id = 'bob'" in sql
    assert tables_read(sql) == ["plays", "tracks"]  # no view is read by name any more
    assert "JOIN main.tracks AS t" in sql  # the dimension is read whole


def test_a_table_a_view_reads_is_never_taken_for_a_cte_of_the_view_it_is_inlined_into() -> None:
    names = View("names", "Artist names.", "SELECT artist_id, name FROM artists")
    drift = View(
        "drift",
        "Top artists with names.",
        "WITH artists AS (SELECT item_id AS artist_id FROM top_items) "
        "SELECT a.artist_id, n.name FROM artists AS a JOIN names AS n USING (artist_id)",
    )
    sql = for_user("SELECT * FROM drift", "u", [names, drift], "duckdb", "main")
    assert "SELECT artist_id, name FROM main.artists" in sql
    assert "FROM (SELECT * FROM main.top_items WHERE user_id = 'u') AS top_items" in sql


def test_a_cte_named_like_a_table_is_not_touched_and_quotes_in_an_id_stay_literal() -> None:
    shadowing = "WITH plays AS (SELECT 1 AS x) SELECT x FROM plays"
    assert for_user(shadowing, "a", [], "duckdb", "main") == shadowing
    sql = for_user("SELECT count(*) FROM saved_tracks", "o'brien", [], "athena", "spotify")
    assert "user_id = 'o''brien'" in sql


def test_every_packaged_view_rewrites_for_both_engines() -> None:
    views = load_views()
    for view in views:
        for dialect in ("duckdb", "athena"):
            sql = for_user(f"SELECT * FROM {view.name}", "u", views, dialect, "db")
            assert view.name not in {
                t.name for t in sqlglot.parse_one(sql, read=dialect).find_all(exp.Table)
            }


@pytest.mark.parametrize("sql", ["DELETE FROM plays", "SELECT 1; SELECT 2", "SELEC x"])
def test_anything_but_one_query_is_refused_with_a_line_saying_so(sql: str) -> None:
    with pytest.raises(ValueError, match="--user"):
        for_user(sql, "u", [], "duckdb", "main")

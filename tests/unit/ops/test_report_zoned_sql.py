"""A report query in another zone: the views naming the zone, and those reading them, inlined
as CTEs of the same names with the zone replaced; every other view read as stored."""

from __future__ import annotations

import pytest
from spotify_etl.report.datasets import DATASETS
from spotify_etl.report.zoned_sql import zone_dependent, zoned_query
from spotify_etl_views import View, load_views

VIEWS = [
    View("stamped", "", "SELECT played_at AT TIME ZONE 'UTC' AS local_at FROM plays"),
    View("plain", "", "SELECT track_id FROM plays"),
    View("daily", "", "SELECT CAST(local_at AS date) AS day FROM stamped"),
    View("joined", "", "SELECT d.day FROM daily AS d, plain AS p"),
]


def test_the_views_depending_on_the_zone_are_those_naming_it_and_their_readers() -> None:
    assert zone_dependent(VIEWS) == {"stamped", "daily", "joined"}


def test_a_query_carries_every_zone_dependent_view_it_reads_in_dependency_order() -> None:
    sql = zoned_query("SELECT * FROM joined ORDER BY day", VIEWS, "Europe/Paris")
    assert sql == (
        "WITH stamped AS (\n"
        "SELECT played_at AT TIME ZONE 'Europe/Paris' AS local_at FROM plays\n),\n"
        "daily AS (\nSELECT CAST(local_at AS date) AS day FROM stamped\n),\n"
        "joined AS (\nSELECT d.day FROM daily AS d, plain AS p\n)\n"
        "SELECT * FROM joined ORDER BY day"
    )


def test_a_query_over_views_that_do_not_depend_on_the_zone_is_unchanged() -> None:
    assert zoned_query("SELECT * FROM plain", VIEWS, "Asia/Tokyo") == "SELECT * FROM plain"


def test_a_query_with_its_own_with_is_refused() -> None:
    with pytest.raises(ValueError, match="plain SELECT"):
        zoned_query("WITH x AS (SELECT 1) SELECT * FROM x", VIEWS, "UTC")


def test_no_report_query_still_converts_to_utc_in_another_zone() -> None:
    views = load_views()
    for dataset in DATASETS:
        sql = zoned_query(dataset.sql, views, "Pacific/Auckland")
        assert "'UTC'" not in sql, dataset.key
        # platform shares and Spotify's top lists need no clock (snapshot times are converted
        # in Python)
        if dataset.view not in {"skips_by_platform", "top_item_ranks", "top_item_changes"}:
            assert "AT TIME ZONE 'Pacific/Auckland'" in sql, dataset.key

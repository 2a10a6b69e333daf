"""The crawler's definition is a pure function of the bucket: the raw zone, per source."""

from __future__ import annotations

from typing import Any

from cataloger.crawler import crawler_spec
from spotify_etl_common.sources import Source


def test_crawler_targets_each_raw_source_prefix_into_raw_tables() -> None:
    spec = crawler_spec("c", "role", "spotify", "bkt", [Source.TRACKS, Source.ALBUMS])
    assert spec.create_kwargs() == {
        "Name": "c",
        "Role": "role",
        "DatabaseName": "spotify",
        "Description": "spotify-etl raw responses (JSON as received), one table per source",
        "Targets": {
            "S3Targets": [
                {"Path": "s3://bkt/raw/source=albums/"},
                {"Path": "s3://bkt/raw/source=tracks/"},
            ]
        },
        "TablePrefix": "raw_",
        "SchemaChangePolicy": {"UpdateBehavior": "UPDATE_IN_DATABASE", "DeleteBehavior": "LOG"},
        "RecrawlPolicy": {"RecrawlBehavior": "CRAWL_EVERYTHING"},
        "Configuration": (
            '{"Version":1.0,"CrawlerOutput":{"Partitions":'
            '{"AddOrUpdateBehavior":"InheritFromTable"}},'
            '"Grouping":{"TableGroupingPolicy":"CombineCompatibleSchemas"}}'
        ),
    }


def test_every_source_is_crawled_by_default() -> None:
    assert len(crawler_spec("c", "role", "spotify", "bkt").paths) == len(Source)


def test_the_earlier_crawler_over_curated_tables_does_not_match_and_is_updated() -> None:
    spec = crawler_spec("c", "role", "spotify", "bkt", [Source.ALBUMS])
    existing: Any = {
        "Role": "role",
        "DatabaseName": "spotify",
        "Targets": {"S3Targets": [{"Path": "s3://bkt/raw/source=albums/"}]},
    }
    assert spec.matches(existing)
    existing["Targets"]["S3Targets"] = [{"Path": "s3://bkt/curated/albums/"}]
    assert not spec.matches(existing)

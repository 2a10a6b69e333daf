"""The crawler's definition is a pure function of the tables and bucket."""

from __future__ import annotations

from typing import Any

from cataloger.crawler import crawler_spec


def test_crawler_targets_each_table_prefix_and_inherits_table_schemas() -> None:
    spec = crawler_spec("c", "role", "spotify", "bkt", ["tracks", "albums"])
    assert spec.create_kwargs() == {
        "Name": "c",
        "Role": "role",
        "DatabaseName": "spotify",
        "Description": "spotify-etl curated Parquet; types are restored by the cataloger",
        "Targets": {
            "S3Targets": [
                {"Path": "s3://bkt/curated/albums/"},
                {"Path": "s3://bkt/curated/tracks/"},
            ]
        },
        "SchemaChangePolicy": {"UpdateBehavior": "UPDATE_IN_DATABASE", "DeleteBehavior": "LOG"},
        "RecrawlPolicy": {"RecrawlBehavior": "CRAWL_EVERYTHING"},
        "Configuration": (
            '{"Version":1.0,"CrawlerOutput":{"Partitions":'
            '{"AddOrUpdateBehavior":"InheritFromTable"}},'
            '"Grouping":{"TableGroupingPolicy":"CombineCompatibleSchemas"}}'
        ),
    }


def test_an_existing_crawler_with_other_targets_does_not_match() -> None:
    spec = crawler_spec("c", "role", "spotify", "bkt", ["albums"])
    existing: Any = {
        "Role": "role",
        "DatabaseName": "spotify",
        "Targets": {"S3Targets": [{"Path": "s3://bkt/curated/albums/"}]},
    }
    assert spec.matches(existing)
    existing["Targets"]["S3Targets"].append({"Path": "s3://bkt/curated/old/"})
    assert not spec.matches(existing)

"""Cataloger settings: defaults, and a crawler without a role is refused clearly."""

from __future__ import annotations

import pytest
from cataloger.settings import CatalogerSettings
from spotify_etl_common.settings import load_settings

BASE = {
    "SPOTIFY_ETL_BUCKET": "bkt",
    "SPOTIFY_ETL_TRANSFORM_QUEUE": "t",
    "SPOTIFY_ETL_CATALOG_QUEUE": "c",
}


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for key, value in BASE.items():
        monkeypatch.setenv(key, value)
    for key in ("CATALOGER_CRAWLER", "CATALOGER_CRAWLER_ROLE", "SPOTIFY_ETL_MAX_IN_FLIGHT"):
        monkeypatch.delenv(key, raising=False)
    return monkeypatch


def test_defaults_coalesce_large_batches_and_publish_views(env: pytest.MonkeyPatch) -> None:
    settings = load_settings(CatalogerSettings)
    assert (settings.database, settings.crawler, settings.publish_views) == ("spotify", False, True)
    assert settings.worker_config().max_in_flight == 300
    assert settings.results_location == "s3://bkt/athena-results/"


def test_crawler_without_a_role_exits_2_naming_the_variable(
    env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    env.setenv("CATALOGER_CRAWLER", "true")
    with pytest.raises(SystemExit) as exit_info:
        load_settings(CatalogerSettings)
    assert exit_info.value.code == 2
    assert "CATALOGER_CRAWLER_ROLE" in capsys.readouterr().err


def test_a_database_name_athena_cannot_use_is_refused(
    env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    env.setenv("CATALOGER_DATABASE", "Spotify-Prod")
    with pytest.raises(SystemExit):
        load_settings(CatalogerSettings)
    assert "CATALOGER_DATABASE is invalid" in capsys.readouterr().err

"""The transformer command line."""

from __future__ import annotations

import pytest
from transformer.main import main


def test_serve_without_configuration_exits_2_naming_the_missing_variables(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("SPOTIFY_ETL_BUCKET", "SPOTIFY_ETL_TRANSFORM_QUEUE", "SPOTIFY_ETL_CATALOG_QUEUE"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(SystemExit) as exited:
        main([])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert "SPOTIFY_ETL_BUCKET is missing" in err
    assert "SPOTIFY_ETL_TRANSFORM_QUEUE is missing" in err


def test_transform_files_refuses_an_extraction_time_without_offset(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = main(
        ["transform-files", "x.json", "--out", "o", "--extracted-at", "2026-11-24T00:00:00"]
    )
    assert code == 2
    assert "needs an offset" in capsys.readouterr().err

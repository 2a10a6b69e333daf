"""import-history hands the tracks its plays name to the extractor (``tracks-wanted``), on moto."""

from __future__ import annotations

from pathlib import Path

import pytest
from fake_spotify.history_export import extended_download, listening
from spotify_etl_common.wanted import WantedTracks, wanted_key

from .conftest import Ops, run_cli

pytestmark = pytest.mark.integration


def _wanted(ops: Ops) -> list[str]:
    body = ops.s3.get_object(Bucket=ops.bucket, Key=wanted_key())["Body"].read()
    return WantedTracks.model_validate_json(body).track_ids


def test_import_history_merges_the_track_ids_of_its_plays_into_tracks_wanted(
    ops: Ops, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = listening(300, seed=3)
    second = listening(300, seed=4)  # other tracks: a later import adds, never replaces
    first_ids = {p.track_id for p in first if p.track_id}
    second_ids = {p.track_id for p in second if p.track_id}
    assert first_ids
    assert second_ids - first_ids

    assert run_cli("import-history", str(extended_download(first, tmp_path / "a.zip"))) == 0
    assert _wanted(ops) == sorted(first_ids)
    assert f"{len(first_ids):,} tracks named by the plays" in capsys.readouterr().err

    assert run_cli("import-history", str(extended_download(second, tmp_path / "b.zip"))) == 0
    assert _wanted(ops) == sorted(first_ids | second_ids)

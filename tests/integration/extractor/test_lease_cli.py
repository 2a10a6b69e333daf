"""``extractor lease [--break]`` and ``extractor gone [--clear]`` against S3 (moto)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from extractor.main import main
from extractor.state.documents import PENDING_STATE, PendingEntities
from extractor.state.lease import LEASE_KEY, LeaseDocument
from spotify_etl.local.provision import Provisioned
from spotify_etl_common.gone import GoneEntities, GoneEntry, gone_key
from spotify_etl_common.keys import state_key
from spotify_etl_common.sources import Source

from tests.conftest import LocalAws
from tests.integration.extractor.conftest import lease_is_free

pytestmark = pytest.mark.integration


def test_lease_shows_the_holder_and_break_frees_only_the_named_runs_lease(
    stack: Provisioned, moto_server: LocalAws, capsys: pytest.CaptureFixture[str]
) -> None:
    s3, bucket = moto_server.client("s3"), stack.names.bucket
    taken = datetime.now(UTC).replace(microsecond=0)
    killed = LeaseDocument(
        run_id="killed-run", taken_at=taken, expires_at=taken + timedelta(hours=1)
    )
    s3.put_object(Bucket=bucket, Key=LEASE_KEY, Body=killed.model_dump_json())

    assert main(["lease"]) == 0
    shown = capsys.readouterr().out
    assert "run:        killed-run" in shown
    assert f"taken at:   {taken:%Y-%m-%d %H:%M:%S} UTC" in shown
    assert f"expires at: {killed.expires_at:%Y-%m-%d %H:%M:%S} UTC" in shown

    assert main(["lease", "--break", "some-other-run"]) == 1
    assert "held by run killed-run, not some-other-run" in capsys.readouterr().err
    assert not lease_is_free(s3, bucket)

    assert main(["lease", "--break", "killed-run"]) == 0
    assert "released the lease of run killed-run" in capsys.readouterr().out
    assert lease_is_free(s3, bucket)


def test_gone_lists_the_entities_recorded_as_gone_and_clear_gives_them_back(
    stack: Provisioned, moto_server: LocalAws, capsys: pytest.CaptureFixture[str]
) -> None:
    s3, bucket = moto_server.client("s3"), stack.names.bucket
    seen = datetime(2026, 11, 20, 6, tzinfo=UTC)
    entry = GoneEntry(
        source=Source.ALBUMS,
        entity_id="0gone",
        status=404,
        message="Non existing id",
        first_seen=seen,
        last_seen=seen,
        runs=3,
        gone=True,
    )
    s3.put_object(
        Bucket=bucket, Key=gone_key(), Body=GoneEntities(entries=[entry]).model_dump_json()
    )

    assert main(["gone"]) == 0
    assert "albums:0gone  404 'Non existing id'" in capsys.readouterr().out
    assert main(["gone", "--clear", "playlists:x"]) == 2
    assert main(["gone", "--clear"]) == 0
    assert "1 entities back in the journal" in capsys.readouterr().out
    pending = s3.get_object(Bucket=bucket, Key=state_key(PENDING_STATE))["Body"].read()
    assert PendingEntities.model_validate_json(pending).albums == ["0gone"]
    left = s3.get_object(Bucket=bucket, Key=gone_key())["Body"].read()
    assert GoneEntities.model_validate_json(left).entries == []

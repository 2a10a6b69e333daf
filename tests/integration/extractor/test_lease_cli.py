"""``extractor lease`` and ``--break`` against S3 (moto): conditional writes on the real ETag."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from extractor.lease import LEASE_KEY, LeaseDocument
from extractor.main import main
from spotify_etl.local.provision import Provisioned

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

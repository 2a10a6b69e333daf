"""``maintain`` and ``migrate-tables`` arguments: defaults as the lake's, bad values refused."""

from __future__ import annotations

from datetime import timedelta

import pytest
from spotify_etl.cli import build_parser
from spotify_etl.lake.commands import options_from
from spotify_etl_lake.maintain import MaintenanceOptions


def test_the_defaults_are_the_lakes() -> None:
    args = build_parser().parse_args(["maintain"])
    assert options_from(args) == MaintenanceOptions()


def test_options_come_from_the_arguments() -> None:
    args = build_parser().parse_args(
        [
            *("maintain", "--target-bytes", "1000", "--retention-days", "0", "--keep-last", "1"),
            *("--orphan-age-hours", "0.5", "--dry-run", "--table", "plays"),
        ]
    )
    assert options_from(args) == MaintenanceOptions(
        target_bytes=1000,
        retention=timedelta(0),
        keep_last=1,
        orphan_age=timedelta(minutes=30),
        dry_run=True,
    )
    assert args.table == "plays"


@pytest.mark.parametrize(
    "argv",
    [
        ["--target-bytes", "0"],
        ["--retention-days", "-1"],
        ["--keep-last", "0"],
        ["--orphan-age-hours", "x"],
        ["--table", "nope"],
    ],
)
def test_bad_values_are_refused_with_a_usage_error(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        build_parser().parse_args(["maintain", *argv])
    assert exit_.value.code == 2
    assert "spotify-etl maintain: error: argument" in capsys.readouterr().err


def test_migrate_tables_has_a_dry_run() -> None:
    assert build_parser().parse_args(["migrate-tables", "--dry-run"]).dry_run is True

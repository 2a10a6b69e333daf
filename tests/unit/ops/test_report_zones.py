"""The report's time zone: --tz checked (it goes into the SQL), else the machine's, named."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from spotify_etl.report.zones import Zone, ZoneError, check_zone, choose_zone, machine_zone


def test_tz_must_be_an_iana_zone_and_nothing_else() -> None:
    assert check_zone("America/Argentina/Buenos_Aires") == "America/Argentina/Buenos_Aires"
    for bad in ("Mars/Olympus", "Europe/Paris' OR '1'='1", "../../etc/passwd", ""):
        with pytest.raises(ZoneError, match="not an IANA time zone: pass one such as"):
            check_zone(bad)


def test_tz_given_wins_and_says_so() -> None:
    zone = choose_zone("Asia/Tokyo", {"TZ": "Europe/Paris"})
    assert (zone.name, zone.origin) == ("Asia/Tokyo", "--tz")


def test_the_machine_zone_is_tz_then_localtime_then_etc_timezone_then_utc(tmp_path: Path) -> None:
    etc = tmp_path / "etc"
    etc.mkdir()
    assert machine_zone({"TZ": "Nowhere/Land"}, etc) == Zone("UTC", "default")
    (etc / "timezone").write_text("America/Chicago\n")
    assert machine_zone({}, etc) == Zone("America/Chicago", "/etc/timezone")
    os.symlink(tmp_path / "usr/share/zoneinfo/Europe/Lisbon", etc / "localtime")
    assert machine_zone({}, etc).name == "Europe/Lisbon"
    assert machine_zone({"TZ": ":Australia/Perth"}, etc).name == "Australia/Perth"

"""The grants file: the user's alone, replaced whole, never showing a value."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from spotify_etl.local.grants import Grants, GrantsError, StoredSecret, read_grants, write_grants

TOKEN = "AQD-refresh-token-value"


def grants() -> Grants:
    return Grants(secrets=(StoredSecret(name="spotify-etl/users/ana", secret_string=TOKEN),))


def test_written_grants_read_back_the_same(tmp_path: Path) -> None:
    path = tmp_path / "grants.json"
    write_grants(path, grants())
    assert read_grants(path) == grants()


def test_the_file_is_readable_by_the_user_alone(tmp_path: Path) -> None:
    path = tmp_path / "grants.json"
    write_grants(path, grants())
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    write_grants(path, Grants())  # replaced: still 0600, and no temporary file left
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["grants.json"]


def test_no_file_means_no_grants(tmp_path: Path) -> None:
    assert read_grants(tmp_path / "grants.json") == Grants()


def test_a_damaged_file_is_one_clear_error_without_its_content(tmp_path: Path) -> None:
    path = tmp_path / "grants.json"
    path.write_text('{"version": 1, "secrets": [{"name": "x", "secret_string": "' + TOKEN)
    with pytest.raises(GrantsError) as raised:
        read_grants(path)
    assert str(path) in str(raised.value)
    assert "authorise again" in str(raised.value)
    assert TOKEN not in str(raised.value)


def test_a_secret_value_never_shows_in_its_repr() -> None:
    assert TOKEN not in repr(grants())
    assert "spotify-etl/users/ana" in repr(grants())

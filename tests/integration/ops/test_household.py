"""The household's operator commands on moto: import-history per user, purge-user."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fake_spotify.history_export import USERNAME, extended_download, listening

from tests.integration.ops.conftest import Ops, run_cli

pytestmark = pytest.mark.integration


@pytest.fixture
def users(ops: Ops, monkeypatch: pytest.MonkeyPatch) -> Ops:
    """Secrets of two users under a prefix of this test's own: bob is the export's listener."""
    prefix = f"{ops.bucket}/users/"
    monkeypatch.setenv("SPOTIFY_USER_SECRET_PREFIX", prefix)
    secrets = ops.aws.client("secretsmanager")
    for name, user_id in (("alice", "sp-alice"), ("bob", USERNAME)):
        grant = {"refresh_token": f"token-{name}", "id": user_id, "display_name": name.title()}
        secrets.create_secret(Name=f"{prefix}{name}", SecretString=json.dumps(grant))
    return ops


def raw_keys(ops: Ops) -> list[str]:
    listed = ops.s3.list_objects_v2(Bucket=ops.bucket, Prefix="raw/")
    return [o["Key"] for o in listed.get("Contents", [])]


def test_import_history_lands_under_the_named_users_prefix(
    users: Ops, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    export = extended_download(listening(30), tmp_path / "export.zip", style="endsong")
    assert run_cli("import-history", "--user", "bob", str(export)) == 0
    keys = raw_keys(users)
    assert keys
    assert all(k.startswith(f"raw/source=streaming_history/user={USERNAME}/kind=") for k in keys)
    assert "token-bob" not in capsys.readouterr().out


def test_import_history_refuses_an_export_whose_rows_name_another_user(
    users: Ops, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    export = extended_download(listening(30), tmp_path / "export.zip", style="endsong")
    assert run_cli("import-history", "--user", "alice", str(export)) == 2
    [line] = capsys.readouterr().err.strip().splitlines()[-1:]
    assert line == (
        f"import-history: the export's rows name the Spotify user {USERNAME}, not alice "
        "(sp-alice): import it with --user for the user it belongs to; nothing was written"
    )
    assert raw_keys(users) == []
    assert users.bodies(users.url("transform")) == []


def test_import_history_needs_the_user_when_several_are_configured(
    users: Ops, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    export = extended_download(listening(10), tmp_path / "export.zip")
    assert run_cli("import-history", str(export)) == 2
    assert capsys.readouterr().err.strip().splitlines()[-1] == (
        "import-history: several users are configured (alice, bob): name whose export this "
        "is with --user NAME (or --user-id ID)"
    )
    assert raw_keys(users) == []

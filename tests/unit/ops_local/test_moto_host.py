"""The moto host's middleware: ready only once the kept secrets are back, and every secret
written is saved before its answer leaves."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from spotify_etl.local.moto_host import GrantKeeper
from spotify_etl.local.server import READY_PATH


class FakeMoto:
    """A WSGI app answering every request with ``status``."""

    def __init__(self, status: str = "200 OK") -> None:
        self.status = status
        self.calls = 0

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        self.calls += 1
        start_response(self.status, [("Content-Type", "application/json")])
        return [b"{}"]


def call(app: GrantKeeper, path: str = "/", target: str | None = None) -> tuple[str, bytes]:
    environ: dict[str, Any] = {"PATH_INFO": path, "REQUEST_METHOD": "POST"}
    if target:
        environ["HTTP_X_AMZ_TARGET"] = target
    statuses: list[str] = []
    body = b"".join(app(environ, lambda status, headers, exc=None: statuses.append(status)))
    return statuses[0], body


def test_not_ready_until_the_kept_secrets_are_restored() -> None:
    keeper = GrantKeeper(FakeMoto())
    assert call(keeper, READY_PATH)[0].startswith("503")
    keeper.save = lambda: None
    assert call(keeper, READY_PATH)[0].startswith("200")


def test_a_secret_written_is_saved_before_the_answer() -> None:
    saved: list[int] = []
    moto = FakeMoto()
    keeper = GrantKeeper(moto)
    keeper.save = lambda: saved.append(moto.calls)
    status, body = call(keeper, target="secretsmanager.PutSecretValue")
    assert (status, body) == ("200 OK", b"{}")
    assert saved == [1]


def test_reads_other_services_and_failed_writes_save_nothing() -> None:
    saved: list[str] = []
    keeper = GrantKeeper(FakeMoto("400 Bad Request"))
    keeper.save = lambda: saved.append("saved")
    call(keeper, target="secretsmanager.CreateSecret")
    keeper.app = FakeMoto()
    call(keeper, target="secretsmanager.GetSecretValue")
    call(keeper, target="AmazonSQS.SendMessage")
    assert saved == []


def test_writes_while_restoring_are_not_saved() -> None:
    """The restore itself writes the secrets: saving then could keep half of them."""
    keeper = GrantKeeper(FakeMoto())
    assert call(keeper, target="secretsmanager.CreateSecret")[0] == "200 OK"
    assert keeper.save is None

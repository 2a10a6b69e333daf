"""The local stack's moto server, which keeps the local secrets in the grants file.

``python -m spotify_etl.local.moto_host --port P [--grants FILE]`` serves moto
(SQS, Glue, Athena, Secrets Manager) on 127.0.0.1:P. Before it reports ready
(``GET /_local/ready`` answers 200), it creates the secrets kept in FILE; after
that, every Secrets Manager write that succeeds (a stored or rotated refresh
token) rewrites FILE before its answer leaves, so a kill -9 right after an
``extractor auth --store`` loses nothing.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from spotify_etl.local.server import READY_PATH

SECRET_WRITES = frozenset(
    f"secretsmanager.{operation}"
    for operation in (
        "CreateSecret",
        "PutSecretValue",
        "UpdateSecret",
        "UpdateSecretVersionStage",
        "RotateSecret",
        "DeleteSecret",
        "RestoreSecret",
    )
)
"""The ``X-Amz-Target`` of every request that changes a secret."""

StartResponse = Callable[..., Any]


class GrantKeeper:
    """WSGI middleware: the readiness answer, and a save after each secret written."""

    def __init__(self, app: Callable[[dict[str, Any], StartResponse], Iterable[bytes]]) -> None:
        self.app = app
        self.save: Callable[[], object] | None = None
        """Set once the kept secrets are restored: from then on each write is saved."""
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == READY_PATH:
            ready = self.save is not None
            start_response("200 OK" if ready else "503 Service Unavailable", [])
            return [b"ready" if ready else b"restoring"]
        save = self.save
        if save is None or environ.get("HTTP_X_AMZ_TARGET") not in SECRET_WRITES:
            return self.app(environ, start_response)
        statuses: list[str] = []

        def recording(status: str, headers: Any, exc_info: Any = None) -> Any:
            statuses.append(status)
            return start_response(status, headers, exc_info)

        body = b"".join(self.app(environ, recording))
        if statuses and statuses[-1].startswith("200"):
            with self._lock:
                save()
        return [body]


def serve(port: int, grants: Path | None) -> None:
    """Serve moto on 127.0.0.1:``port`` with the secrets of ``grants`` kept (until killed);
    without ``grants``, plain moto (the benchmarks' servers)."""
    import boto3
    from moto.server import ThreadedMotoServer

    from spotify_etl.local import grants as kept
    from spotify_etl.local.state import CREDENTIALS, REGION

    os.environ.setdefault("MOTO_PORT", str(port))
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    # moto's own server, its app wrapped: until the keeper is in place (and has restored
    # the secrets) the ready path answers moto's 404, so nobody uses the stack before
    wsgi = server._server
    assert wsgi is not None
    keeper = GrantKeeper(wsgi.app)
    wsgi.app = keeper
    client = boto3.client(
        "secretsmanager",
        endpoint_url=f"http://127.0.0.1:{port}",
        region_name=REGION,
        aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
    )
    if grants is None:
        keeper.save = lambda: None
        print(f"moto on 127.0.0.1:{port}; no secrets kept", flush=True)
    else:
        restored = kept.restore(client, kept.read_grants(grants))
        keeper.save = lambda: kept.save(client, grants)
        print(f"moto on 127.0.0.1:{port}; {restored} kept secrets restored", flush=True)
    threading.Event().wait()  # serve until killed


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m spotify_etl.local.moto_host")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--grants", type=Path, help="the grants file (none: keep no secret)")
    args = parser.parse_args(argv)
    from spotify_etl.local.grants import GrantsError

    try:
        serve(args.port, args.grants)
    except GrantsError as error:
        print(f"moto_host: {error}", file=sys.stderr)
        raise SystemExit(2) from None


if __name__ == "__main__":
    main()

"""How the local S3 server is started: loopback only, no telemetry, the lake's own ports."""

from __future__ import annotations

import json
import socket
from pathlib import Path

from spotify_etl.local.seaweed import PORTS_FILE, WeedPorts, lake_ports, s3_identities, weed_argv

PORTS = WeedPorts(9333, 19333, 8080, 18080, 8888, 18888, 8333, 18333)


def flags(argv: list[str]) -> dict[str, str]:
    return dict(a.lstrip("-").split("=", 1) if "=" in a else (a.lstrip("-"), "") for a in argv[2:])


def test_every_component_binds_loopback_and_nothing_calls_home(tmp_path: Path) -> None:
    given = flags(weed_argv("weed", tmp_path, PORTS, tmp_path / "s3.json"))
    assert given["ip"] == given["ip.bind"] == "127.0.0.1"
    assert given["master.telemetry"] == "false"
    assert given["s3.port.iceberg"] == given["s3.port.lance"] == "0"  # no extra servers
    assert int(given["volume.max"]) >= 100  # room for more than one bucket
    assert given["dir"] == str(tmp_path)
    assert given["master.dir"] == str(tmp_path / "master")
    assert given["s3.config"] == str(tmp_path / "s3.json")
    ports = {int(v) for k, v in given.items() if k.endswith((".port", ".port.grpc"))}
    assert ports == set(PORTS.__dict__.values())


def test_s3_accepts_the_local_keys_only() -> None:
    config = s3_identities("testing", "secret")
    [identity] = config["identities"]  # type: ignore[misc]
    assert identity["credentials"] == [{"accessKey": "testing", "secretKey": "secret"}]


def test_the_lake_keeps_its_ports_while_they_are_free(tmp_path: Path) -> None:
    first = lake_ports(tmp_path)
    assert json.loads((tmp_path / PORTS_FILE).read_text()) == first.__dict__
    assert lake_ports(tmp_path) == first


def test_a_taken_port_gives_the_lake_new_ones(tmp_path: Path) -> None:
    first = lake_ports(tmp_path)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", first.s3))
        taken.listen()
        second = lake_ports(tmp_path)
    assert second != first
    assert lake_ports(tmp_path) == second

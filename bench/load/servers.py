"""The moto servers of one benchmark run: one for S3 and one for SQS, or one for both."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
from spotify_etl.local.provision import StackNames
from spotify_etl.local.server import free_port, start_moto, stop_process
from spotify_etl.local.state import CREDENTIALS, REGION


@dataclass
class Stack:
    """The moto servers of one run: one for S3 and one for SQS, or one for both."""

    s3_pid: int
    s3_endpoint: str
    sqs_pid: int
    sqs_endpoint: str

    @classmethod
    def start(cls, log_dir: Path, label: str, split: bool) -> Stack:
        port = free_port()
        s3_pid = start_moto(port, log_dir / f"moto-{label}-s3.log")
        s3_endpoint = f"http://127.0.0.1:{port}"
        if not split:
            return cls(s3_pid, s3_endpoint, s3_pid, s3_endpoint)
        port = free_port()
        try:
            sqs_pid = start_moto(port, log_dir / f"moto-{label}-sqs.log")
        except Exception:
            stop_process(s3_pid)
            raise
        return cls(s3_pid, s3_endpoint, sqs_pid, f"http://127.0.0.1:{port}")

    @property
    def pids(self) -> list[int]:
        return sorted({self.s3_pid, self.sqs_pid})

    def stop(self) -> None:
        for pid in self.pids:
            stop_process(pid)

    def client(self, service: str) -> Any:
        return boto3.client(  # type: ignore[call-overload]
            service,
            endpoint_url=self.sqs_endpoint if service == "sqs" else self.s3_endpoint,
            region_name=REGION,
            aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        )

    def env(self, names: StackNames) -> dict[str, str]:
        return {
            "AWS_ENDPOINT_URL": self.s3_endpoint,
            "AWS_ENDPOINT_URL_S3": self.s3_endpoint,
            "AWS_ENDPOINT_URL_SQS": self.sqs_endpoint,
            "AWS_REGION": REGION,
            "AWS_DEFAULT_REGION": REGION,
            **CREDENTIALS,
            "SPOTIFY_ETL_BUCKET": names.bucket,
            "SPOTIFY_ETL_TRANSFORM_QUEUE": names.transform_queue,
            "SPOTIFY_ETL_CATALOG_QUEUE": names.catalog_queue,
        }

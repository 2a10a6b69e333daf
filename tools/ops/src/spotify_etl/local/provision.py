"""Create the bucket and the work queues (each with a DLQ and redrive policy).

Idempotent: running it again on the same endpoint changes nothing. Used by
``spotify-etl local up`` and by the integration tests, so both see one layout.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_sqs import SQSClient

MAX_RECEIVE_COUNT = 10
"""Receives before SQS moves a message to the dead-letter queue (as deployed: a stopped or
killed worker's messages count a receive each, so healthy ones must survive some churn)."""
WORK_RETENTION = 1_209_600
"""Work queues keep messages 14 days, as deployed: longer than any outage worth sitting out."""
VISIBILITY_TIMEOUT = 60
"""Default visibility timeout of the work queues (the worker heartbeats past it)."""
DLQ_RETENTION = 1_209_600
"""Dead letters are kept 14 days, the SQS maximum."""


@dataclass(frozen=True)
class StackNames:
    """Names of the bucket and queues of one stack."""

    bucket: str = "spotify-etl-local"
    transform_queue: str = "spotify-etl-transform"
    catalog_queue: str = "spotify-etl-catalog"

    @classmethod
    def unique(cls, prefix: str = "t") -> StackNames:
        """Fresh names, for tests that share one moto server."""
        tag = f"{prefix}-{uuid.uuid4().hex[:10]}"
        return cls(f"{tag}-bucket", f"{tag}-transform", f"{tag}-catalog")

    @property
    def queues(self) -> tuple[str, str]:
        """The two work queues."""
        return (self.transform_queue, self.catalog_queue)

    @staticmethod
    def dlq(queue: str) -> str:
        """Dead-letter queue name of a work queue."""
        return f"{queue}-dlq"


@dataclass(frozen=True)
class Provisioned:
    """Queue URLs of a provisioned stack."""

    names: StackNames
    queue_urls: dict[str, str]


def provision(
    s3: S3Client,
    sqs: SQSClient,
    names: StackNames,
    region: str,
    visibility_timeout: int = VISIBILITY_TIMEOUT,
    max_receive_count: int = MAX_RECEIVE_COUNT,
) -> Provisioned:
    """Ensure the bucket and both queues with their DLQs exist."""
    existing = {b["Name"] for b in s3.list_buckets().get("Buckets", [])}
    if names.bucket not in existing:
        if region == "us-east-1":
            s3.create_bucket(Bucket=names.bucket)
        else:
            s3.create_bucket(
                Bucket=names.bucket,
                CreateBucketConfiguration={"LocationConstraint": region},  # type: ignore[typeddict-item]
            )
    urls: dict[str, str] = {}
    for queue in names.queues:
        dlq_url = sqs.create_queue(
            QueueName=names.dlq(queue),
            Attributes={"MessageRetentionPeriod": str(DLQ_RETENTION)},
        )["QueueUrl"]
        dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])[
            "Attributes"
        ]["QueueArn"]
        redrive = json.dumps(
            {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": str(max_receive_count)}
        )
        attributes = {
            "VisibilityTimeout": str(visibility_timeout),
            "RedrivePolicy": redrive,
            "MessageRetentionPeriod": str(WORK_RETENTION),
        }
        try:
            url = sqs.create_queue(QueueName=queue, Attributes=attributes)["QueueUrl"]  # type: ignore[arg-type]
        except sqs.exceptions.QueueNameExists:
            url = sqs.get_queue_url(QueueName=queue)["QueueUrl"]
            sqs.set_queue_attributes(QueueUrl=url, Attributes=attributes)  # type: ignore[arg-type]
        urls[queue] = url
        urls[names.dlq(queue)] = dlq_url
    return Provisioned(names=names, queue_urls=urls)


LOCAL_REFRESH_TOKEN_SECRET = "spotify-etl-local/spotify-user"  # noqa: S105 - a name
"""Secret of the local stack's user (the extractor's SPOTIFY_REFRESH_TOKEN_SECRET)."""


def provision_refresh_token_secret(
    secretsmanager: Any, name: str, refresh_token: str, authorized_at: datetime
) -> None:
    """Create (or overwrite) the user's refresh-token secret, as `extractor auth --store` does."""
    value = json.dumps({"refresh_token": refresh_token, "authorized_at": authorized_at.isoformat()})
    try:
        secretsmanager.create_secret(Name=name, SecretString=value)
    except secretsmanager.exceptions.ResourceExistsException:
        secretsmanager.put_secret_value(SecretId=name, SecretString=value)

"""Where ``spotify-etl query`` runs: DuckDB on a local stack, or Athena on AWS (pure choice)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from spotify_etl_common.database import DATABASE_VARIABLE, DEFAULT_DATABASE


@dataclass(frozen=True)
class LocalTarget:
    """DuckDB over the lake's tables in a local (moto) Glue and S3."""

    endpoint: str
    """The S3 endpoint."""
    bucket: str
    key: str | None
    secret: str | None
    origin: str
    """Why this target: "local stack" or "AWS_ENDPOINT_URL"."""
    database: str = "spotify"
    """Glue database of the tables."""
    region: str = "us-east-1"
    glue_endpoint: str | None = None
    """Glue's endpoint when it differs from S3's (the local stack: moto's, S3 on SeaweedFS)."""

    @property
    def aws_region(self) -> str:
        """The region of the catalog and the bucket."""
        return self.region

    def endpoint_for(self, service: str) -> str | None:
        """Glue's endpoint for Glue, the S3 endpoint for everything else."""
        return (self.glue_endpoint or self.endpoint) if service == "glue" else self.endpoint


@dataclass(frozen=True)
class AthenaTarget:
    """Athena through a workgroup, results under s3://BUCKET/athena-results/."""

    bucket: str
    database: str
    workgroup: str
    region: str
    endpoint: str | None

    @property
    def aws_region(self) -> str:
        """The region clients connect to (the common client factory reads it)."""
        return self.region

    def endpoint_for(self, service: str) -> str | None:
        """Athena's endpoint (None: real AWS); the target reaches no other service."""
        return self.endpoint if service == "athena" else None

    @property
    def output_location(self) -> str:
        """Where Athena writes the result files."""
        return f"s3://{self.bucket}/athena-results/"


class TargetError(ValueError):
    """Not enough configuration to pick or use a target; the message says what to set."""


def choose_target(
    env: Mapping[str, str], local_stack_env: Mapping[str, str] | None, athena: bool
) -> LocalTarget | AthenaTarget:
    """``--athena`` wins; else a running local stack; else AWS_ENDPOINT_URL; else Athena."""
    if not athena and local_stack_env is not None:
        return local_target(local_stack_env, "local stack")
    if not athena and env.get("AWS_ENDPOINT_URL"):
        return local_target(env, "AWS_ENDPOINT_URL")
    bucket = env.get("SPOTIFY_ETL_BUCKET")
    if not bucket:
        raise TargetError(
            "SPOTIFY_ETL_BUCKET is not set: Athena writes results to s3://BUCKET/athena-results/ "
            "(or start a local stack with: spotify-etl local up)"
        )
    return AthenaTarget(
        bucket=bucket,
        database=env.get(DATABASE_VARIABLE, DEFAULT_DATABASE),
        workgroup=env.get("CATALOGER_ATHENA_WORKGROUP", "primary"),
        region=env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "us-east-1",
        endpoint=env.get("AWS_ENDPOINT_URL_ATHENA") or env.get("AWS_ENDPOINT_URL"),
    )


def local_target(env: Mapping[str, str], origin: str) -> LocalTarget:
    """The local target the environment ``env`` (of a local stack, say) describes."""
    bucket = env.get("SPOTIFY_ETL_BUCKET")
    if not bucket:
        raise TargetError(
            f"SPOTIFY_ETL_BUCKET is not set for the {origin} target: export it "
            "(spotify-etl local env prints it)"
        )
    return LocalTarget(
        endpoint=env.get("AWS_ENDPOINT_URL_S3") or env["AWS_ENDPOINT_URL"],
        bucket=bucket,
        key=env.get("AWS_ACCESS_KEY_ID"),
        secret=env.get("AWS_SECRET_ACCESS_KEY"),
        origin=origin,
        database=env.get("CATALOGER_DATABASE", "spotify"),
        region=env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "us-east-1",
        glue_endpoint=env.get("AWS_ENDPOINT_URL_GLUE") or env.get("AWS_ENDPOINT_URL"),
    )

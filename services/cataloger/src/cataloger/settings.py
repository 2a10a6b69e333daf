"""The cataloger's settings: one typed object, built in ``main``."""

from __future__ import annotations

from pydantic import Field, ValidationInfo, field_validator
from spotify_etl_common.database import DEFAULT_DATABASE
from spotify_etl_common.worker import WorkerSettings


class CatalogerSettings(WorkerSettings):
    """Variables of the cataloger service."""

    max_in_flight: int = Field(default=300, alias="SPOTIFY_ETL_MAX_IN_FLIGHT", ge=1, le=1000)
    """Most messages coalesced into one batch: one commit per table, so larger batches commit
    more files per commit (on moto 27 messages/s at 300, 16-19 at 100)."""
    database: str = Field(
        default=DEFAULT_DATABASE, alias="CATALOGER_DATABASE", pattern=r"^[a-z0-9_]+$"
    )
    """Glue database of the curated (Iceberg) tables and views (lowercase letters, digits, _)."""
    commit_attempts: int = Field(default=8, alias="CATALOGER_COMMIT_ATTEMPTS", ge=1, le=50)
    """Commits tried per table and batch when other writers keep winning (then it is retried)."""
    crawler: bool = Field(default=False, alias="CATALOGER_CRAWLER")
    """Also start a Glue crawler over the raw zone (raw/) once per burst (true/false)."""
    crawler_name: str = Field(default="spotify-etl-raw", alias="CATALOGER_CRAWLER_NAME")
    """Name of the Glue crawler the cataloger creates or updates."""
    crawler_role: str | None = Field(
        default=None, alias="CATALOGER_CRAWLER_ROLE", validate_default=True
    )
    """IAM role ARN (or name) the crawler runs as; required when CATALOGER_CRAWLER=true."""
    athena_workgroup: str = Field(default="primary", alias="CATALOGER_ATHENA_WORKGROUP")
    """Athena workgroup the views are published through."""
    athena_poll_seconds: float = Field(default=1.0, alias="CATALOGER_ATHENA_POLL_SECONDS", gt=0)
    """Seconds between checks of a running Athena query."""
    publish_views: bool = Field(default=True, alias="CATALOGER_PUBLISH_VIEWS")
    """Publish the Athena views at start and when a table is created or changed (true/false)."""

    @property
    def results_location(self) -> str:
        """Where Athena writes query results: s3://BUCKET/athena-results/."""
        return f"s3://{self.bucket}/athena-results/"

    @field_validator("crawler_role", mode="after")
    @classmethod
    def _crawler_needs_role(cls, role: str | None, info: ValidationInfo) -> str | None:
        if info.data.get("crawler") and not role:
            raise ValueError("required when CATALOGER_CRAWLER=true (the crawler's IAM role)")
        return role

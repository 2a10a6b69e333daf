"""The cataloger's settings: one typed object, built in ``main``."""

from __future__ import annotations

from datetime import date

from pydantic import Field, ValidationInfo, field_validator
from spotify_etl_common.database import DEFAULT_DATABASE
from spotify_etl_common.worker import WorkerSettings


class CatalogerSettings(WorkerSettings):
    """Variables of the cataloger service."""

    max_in_flight: int = Field(default=100, alias="SPOTIFY_ETL_MAX_IN_FLIGHT", ge=1, le=1000)
    """Most messages coalesced into one batch (one catalog update, one crawler run per batch)."""
    database: str = Field(
        default=DEFAULT_DATABASE, alias="CATALOGER_DATABASE", pattern=r"^[a-z0-9_]+$"
    )
    """Glue database of the curated tables and views (lowercase letters, digits, _)."""
    crawler: bool = Field(default=False, alias="CATALOGER_CRAWLER")
    """Also run a Glue crawler over the curated prefixes once per burst (true/false)."""
    crawler_name: str = Field(default="spotify-etl-curated", alias="CATALOGER_CRAWLER_NAME")
    """Name of the Glue crawler the cataloger creates or updates."""
    crawler_role: str | None = Field(
        default=None, alias="CATALOGER_CRAWLER_ROLE", validate_default=True
    )
    """IAM role ARN (or name) the crawler runs as; required when CATALOGER_CRAWLER=true."""
    crawler_poll_seconds: float = Field(default=15.0, alias="CATALOGER_CRAWLER_POLL_SECONDS", gt=0)
    """Seconds between checks of a running crawler."""
    crawler_timeout: float = Field(default=1800.0, alias="CATALOGER_CRAWLER_TIMEOUT", gt=0)
    """Longest wait for one crawler run before the batch is retried later."""
    athena_workgroup: str = Field(default="primary", alias="CATALOGER_ATHENA_WORKGROUP")
    """Athena workgroup the views are published through."""
    athena_poll_seconds: float = Field(default=1.0, alias="CATALOGER_ATHENA_POLL_SECONDS", gt=0)
    """Seconds between checks of a running Athena query."""
    partition_projection: bool = Field(default=False, alias="CATALOGER_PARTITION_PROJECTION")
    """Use Athena partition projection on dt instead of adding partitions (true/false)."""
    projection_start: date = Field(default=date(2024, 1, 1), alias="CATALOGER_PROJECTION_START")
    """First day (yyyy-mm-dd) of the projected dt range."""
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

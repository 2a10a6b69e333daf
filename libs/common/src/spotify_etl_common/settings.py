"""Settings base: one typed object per service, built in ``main`` from the environment.

Every field has a one-line docstring: it is the text shown when the variable is
missing or invalid. Services subclass :class:`CommonSettings` and add their own.
"""

from __future__ import annotations

import sys
from typing import NoReturn, TypeVar

from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

S = TypeVar("S", bound=BaseSettings)

EXIT_CONFIG_ERROR = 2


class CommonSettings(BaseSettings):
    """Variables every service reads."""

    model_config = SettingsConfigDict(
        extra="ignore",
        frozen=True,
        use_attribute_docstrings=True,
        populate_by_name=True,
        case_sensitive=True,
    )

    aws_endpoint_url: str | None = Field(default=None, alias="AWS_ENDPOINT_URL")
    """AWS endpoint for every service (e.g. the local moto server); unset means real AWS."""
    aws_endpoint_url_s3: str | None = Field(default=None, alias="AWS_ENDPOINT_URL_S3")
    """S3 endpoint when it differs from AWS_ENDPOINT_URL (one emulator process per service)."""
    aws_endpoint_url_sqs: str | None = Field(default=None, alias="AWS_ENDPOINT_URL_SQS")
    """SQS endpoint when it differs from AWS_ENDPOINT_URL (one emulator process per service)."""
    aws_endpoint_url_glue: str | None = Field(default=None, alias="AWS_ENDPOINT_URL_GLUE")
    """Glue endpoint when it differs from AWS_ENDPOINT_URL (LocalStack plus moto)."""
    aws_endpoint_url_athena: str | None = Field(default=None, alias="AWS_ENDPOINT_URL_ATHENA")
    """Athena endpoint when it differs from AWS_ENDPOINT_URL (LocalStack plus moto)."""
    aws_region: str = Field(default="us-east-1", alias="AWS_REGION")
    """AWS region of the bucket, queues, Glue catalog and Athena workgroup."""
    bucket: str = Field(alias="SPOTIFY_ETL_BUCKET", min_length=3)
    """S3 bucket that holds raw/, curated/, state/ and athena-results/."""
    transform_queue: str = Field(alias="SPOTIFY_ETL_TRANSFORM_QUEUE", min_length=1)
    """Name or URL of the SQS queue of RawObjectWritten messages."""
    catalog_queue: str = Field(alias="SPOTIFY_ETL_CATALOG_QUEUE", min_length=1)
    """Name or URL of the SQS queue of TableFileWritten messages."""
    log_level: str = Field(default="INFO", alias="SPOTIFY_ETL_LOG_LEVEL")
    """Lowest log level written: DEBUG, INFO, WARNING or ERROR."""

    def endpoint_for(self, service: str) -> str | None:
        """Endpoint URL for an AWS service: its own variable, else the shared one.

        The names are botocore's own (``AWS_ENDPOINT_URL_<SERVICE>``), so the AWS
        CLI and boto3 scripts given the same environment reach the same endpoints.
        """
        own = {
            "s3": self.aws_endpoint_url_s3,
            "sqs": self.aws_endpoint_url_sqs,
            "glue": self.aws_endpoint_url_glue,
            "athena": self.aws_endpoint_url_athena,
        }
        return own.get(service) or self.aws_endpoint_url


def describe_errors(settings_class: type[BaseSettings], error: ValidationError) -> str:
    """One line naming each bad variable, what was wrong and what is expected."""
    fields = settings_class.model_fields
    parts = []
    for problem in error.errors():
        name = str(problem["loc"][0]) if problem["loc"] else "?"
        field = next((f for f in fields.values() if f.alias == name), fields.get(name))
        env = (field.alias if field and field.alias else name).upper()
        expected = field.description if field and field.description else ""
        what = "is missing" if problem["type"] == "missing" else f"is invalid ({problem['msg']})"
        parts.append(
            f"{env} {what}: expected {expected.rstrip('.')}" if expected else f"{env} {what}"
        )
    return "configuration error: " + "; ".join(parts)


def load_settings(settings_class: type[S]) -> S:
    """Build settings from the environment, or exit 2 with one clear line."""
    try:
        return settings_class()
    except ValidationError as error:
        _exit_config_error(describe_errors(settings_class, error))


def _exit_config_error(line: str) -> NoReturn:
    print(line, file=sys.stderr)
    raise SystemExit(EXIT_CONFIG_ERROR)

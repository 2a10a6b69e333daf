"""Where the lake is: the Glue catalog through pyiceberg, and each table's identity.

The one place a pyiceberg ``GlueCatalog`` is built. It follows the same
endpoints as every other client (``AWS_ENDPOINT_URL``, ``AWS_ENDPOINT_URL_GLUE``,
``AWS_ENDPOINT_URL_S3``), so the same code runs on moto and on AWS; credentials
come from the environment's usual chain unless given.

Each table lives at ``s3://BUCKET/curated/<table>/``: its metadata under
``metadata/``, the files compaction writes under ``data/``, and the
transformer's files under ``dt=<day>/`` (registered where they are).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from pyiceberg.catalog.glue import GlueCatalog
from spotify_etl_common.keys import CURATED_PREFIX


class Endpoints(Protocol):
    """A region and an endpoint per service (None: real AWS); the common settings are one."""

    @property
    def aws_region(self) -> str: ...

    def endpoint_for(self, service: str) -> str | None: ...


@dataclass(frozen=True)
class Lake:
    """The lake's coordinates: the bucket of its files, the Glue database of its tables."""

    bucket: str
    database: str

    def identifier(self, table: str) -> tuple[str, str]:
        """pyiceberg's identifier of ``table``: (database, table)."""
        return (self.database, table)

    def location(self, table: str) -> str:
        """The table's location: ``s3://BUCKET/curated/<table>``."""
        return f"s3://{self.bucket}/{CURATED_PREFIX}{table}"


def catalog_properties(endpoints: Endpoints) -> dict[str, str]:
    """pyiceberg properties of the Glue catalog and its S3 file IO (pure)."""
    properties = {
        "glue.region": endpoints.aws_region,
        "client.region": endpoints.aws_region,
        "s3.region": endpoints.aws_region,
        "py-io-impl": "pyiceberg.io.pyarrow.PyArrowFileIO",
    }
    glue = endpoints.endpoint_for("glue")
    if glue:
        properties["glue.endpoint"] = glue
    s3 = endpoints.endpoint_for("s3")
    if s3:
        properties["s3.endpoint"] = s3
        properties["s3.force-virtual-addressing"] = "false"
    return properties


def open_catalog(
    endpoints: Endpoints,
    name: str = "spotify-etl",
    *,
    credentials: tuple[str, str] | None = None,
) -> GlueCatalog:
    """A pyiceberg Glue catalog over ``endpoints`` (no call is made until it is used).

    ``credentials`` (access key id, secret) serve Glue and S3 alike; without them the
    environment's usual chain does.
    """
    properties = catalog_properties(endpoints)
    if credentials is not None:
        properties["client.access-key-id"], properties["client.secret-access-key"] = credentials
    return GlueCatalog(name, None, **properties)

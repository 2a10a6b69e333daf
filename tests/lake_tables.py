"""Iceberg tables on the moto server for tests: created from the declarations, committed
the way the cataloger commits (delete the batch's source keys, add the files, one commit)."""

from __future__ import annotations

import contextlib
import io
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import polars as pl
from pyiceberg.catalog.glue import GlueCatalog
from pyiceberg.exceptions import NamespaceAlreadyExistsError, NoSuchTableError
from pyiceberg.expressions import In
from pyiceberg.table import Table
from spotify_etl_common.tables import TABLES, LogicalType
from spotify_etl_lake.catalog import Lake, open_catalog
from spotify_etl_lake.schema import FORMAT_VERSION, iceberg_schema, partition_spec

if TYPE_CHECKING:
    from tests.conftest import LocalAws

REGION = "us-east-1"
POLARS_TYPES: dict[LogicalType, pl.DataType] = {
    "string": pl.Utf8(),
    "bigint": pl.Int64(),
    "int": pl.Int32(),
    "boolean": pl.Boolean(),
    "date": pl.Date(),
    "timestamp": pl.Datetime("us", "UTC"),
    "double": pl.Float64(),
}


@dataclass(frozen=True)
class _Endpoints:
    endpoint: str
    aws_region: str = REGION

    def endpoint_for(self, service: str) -> str | None:
        return self.endpoint


def parquet(table: str, rows: Sequence[dict[str, Any]], drop: tuple[str, ...] = ()) -> bytes:
    """A Parquet file with exactly the table's columns (but ``drop``) and the transformer's
    dtypes."""
    schema = {c.name: POLARS_TYPES[c.type] for c in TABLES[table].columns if c.name not in drop}
    frame = pl.DataFrame([{k: r.get(k) for k in schema} for r in rows], schema=schema, orient="row")
    buffer = io.BytesIO()
    frame.write_parquet(buffer, compression="zstd")
    return buffer.getvalue()


@dataclass
class TestLake:
    """A bucket and a Glue database of its own on the moto server, with Iceberg tables."""

    aws: LocalAws
    bucket: str
    database: str

    @classmethod
    def fresh(cls, aws: LocalAws) -> TestLake:
        suffix = uuid.uuid4().hex[:12]
        lake = cls(aws, f"lake-{suffix}", f"lake_{suffix}")
        aws.client("s3").create_bucket(Bucket=lake.bucket)
        return lake

    @property
    def lake(self) -> Lake:
        return Lake(self.bucket, self.database)

    @property
    def endpoints(self) -> _Endpoints:
        return _Endpoints(self.aws.endpoint)

    def catalog(self) -> GlueCatalog:
        return open_catalog(self.endpoints, credentials=("testing", "testing"))

    def table(self, name: str) -> Table:
        """The Iceberg table ``name``, created (schema, spec, format) if missing."""
        catalog = self.catalog()
        try:
            return catalog.load_table(self.lake.identifier(name))
        except NoSuchTableError:
            pass
        with contextlib.suppress(NamespaceAlreadyExistsError):
            catalog.create_namespace(self.database)
        schema = iceberg_schema(TABLES[name])
        return catalog.create_table(
            self.lake.identifier(name),
            schema=schema,
            location=self.lake.location(name),
            partition_spec=partition_spec(TABLES[name], schema),
            properties={"format-version": str(FORMAT_VERSION)},
        )

    def put(self, key: str, body: bytes) -> str:
        """Write ``body`` at ``key`` in the bucket; its s3:// URI."""
        self.aws.client("s3").put_object(Bucket=self.bucket, Key=key, Body=body)
        return f"s3://{self.bucket}/{key}"

    def commit(self, name: str, paths: Sequence[str], source_keys: Sequence[str] = ()) -> None:
        """One commit: delete the rows of ``source_keys``, add ``paths`` (the cataloger's)."""
        table = self.table(name)
        with table.transaction() as tx:
            if source_keys:
                tx.delete(In("source_key", list(source_keys)))
            tx.add_files(list(paths))

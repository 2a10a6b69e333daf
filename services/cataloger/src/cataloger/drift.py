"""Does a Glue table match its declaration? Pure comparison, reasons in words.

A table created by an older cataloger (fewer columns), or re-typed by a crawler
(e.g. ``dt`` guessed as ``date``, ``popularity`` as ``bigint``), drifts from the
declared ``TableInput``; the cataloger then updates it in place.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from types_aiobotocore_glue.type_defs import (
        ColumnOutputTypeDef,
        ColumnTypeDef,
        TableInputTypeDef,
        TableTypeDef,
    )


@dataclass(frozen=True)
class CatalogTable:
    """The parts of a Glue table the cataloger declares."""

    columns: tuple[tuple[str, str], ...]
    partition_keys: tuple[tuple[str, str], ...]
    location: str
    serde: str
    parameters: Mapping[str, str]


def _pairs(
    columns: Sequence[ColumnTypeDef | ColumnOutputTypeDef],
) -> tuple[tuple[str, str], ...]:
    return tuple((c["Name"], c.get("Type", "")) for c in columns)


def from_glue(table: TableTypeDef) -> CatalogTable:
    """Parse a ``GetTable`` answer at the edge."""
    storage = table.get("StorageDescriptor", {})
    return CatalogTable(
        columns=_pairs(storage.get("Columns", [])),
        partition_keys=_pairs(table.get("PartitionKeys", [])),
        location=storage.get("Location", ""),
        serde=storage.get("SerdeInfo", {}).get("SerializationLibrary", ""),
        parameters=dict(table.get("Parameters", {})),
    )


def from_input(table: TableInputTypeDef) -> CatalogTable:
    """The same view of a declared ``TableInput`` (as built by :mod:`definitions`)."""
    storage = table["StorageDescriptor"]
    return CatalogTable(
        columns=_pairs(storage["Columns"]),
        partition_keys=_pairs(table["PartitionKeys"]),
        location=storage["Location"],
        serde=storage["SerdeInfo"]["SerializationLibrary"],
        parameters=dict(table["Parameters"]),
    )


def drift(current: CatalogTable, wanted: CatalogTable) -> tuple[str, ...]:
    """Why ``current`` differs from ``wanted``; empty when it matches."""
    reasons: list[str] = []
    have = dict(current.columns)
    added = [name for name, _ in wanted.columns if name not in have]
    if added:
        reasons.append(f"columns added: {', '.join(added)}")
    retyped = [
        f"{name} {have[name]} -> {kind}"
        for name, kind in wanted.columns
        if name in have and have[name].lower() != kind
    ]
    if retyped:
        reasons.append(f"column types restored: {', '.join(retyped)}")
    if not added and not retyped and current.columns != wanted.columns:
        reasons.append("column order or extra columns")
    if current.partition_keys != wanted.partition_keys:
        reasons.append(f"partition keys {current.partition_keys} -> {wanted.partition_keys}")
    if current.location != wanted.location:
        reasons.append(f"location {current.location} -> {wanted.location}")
    if current.serde != wanted.serde:
        reasons.append(f"serde {current.serde or 'none'} -> {wanted.serde}")
    changed = sorted(
        key for key, value in wanted.parameters.items() if current.parameters.get(key) != value
    )
    stale = sorted(
        key
        for key in current.parameters
        if key.startswith("projection.") and key not in wanted.parameters
    )
    if changed or stale:
        reasons.append(f"parameters: {', '.join(changed + stale)}")
    return tuple(reasons)

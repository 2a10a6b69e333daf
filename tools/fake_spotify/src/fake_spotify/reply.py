"""One answer of the fake: status, JSON body, extra headers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

Json = dict[str, Any]


@dataclass(frozen=True)
class Reply:
    status: int
    body: Json
    headers: tuple[tuple[str, str], ...] = ()

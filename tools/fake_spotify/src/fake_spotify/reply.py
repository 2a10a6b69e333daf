"""One answer of the fake: status, JSON body, extra headers; and the paging bounds every
paged route reads (a 400 answer when they are bad)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fake_spotify.payloads import error

Json = dict[str, Any]


@dataclass(frozen=True)
class Reply:
    status: int
    body: Json
    headers: tuple[tuple[str, str], ...] = ()


def page_bounds(query: dict[str, str], default: int, most: int) -> tuple[int, int] | Reply:
    """``(limit, offset)`` of a paged request, or the 400 Spotify answers for bad ones."""
    try:
        limit = int(query.get("limit", default))
        offset = int(query.get("offset", 0))
    except ValueError:
        return Reply(400, error(400, "Invalid limit or offset"))
    if not 1 <= limit <= most or offset < 0:
        return Reply(400, error(400, "Invalid limit"))
    return limit, offset

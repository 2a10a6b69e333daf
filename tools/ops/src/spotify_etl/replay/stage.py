"""The replay's stages and its day argument (stdlib only: the parser imports them)."""

from __future__ import annotations

import argparse
from datetime import date
from enum import StrEnum


class Stage(StrEnum):
    """The stage whose input is replayed: its queue gets the messages again."""

    TRANSFORM = "transform"
    CATALOG = "catalog"


def parse_day(text: str) -> date:
    """An argparse type: ``yyyy-mm-dd``, with a clear error otherwise."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a date: expected yyyy-mm-dd, e.g. 2026-11-24"
        ) from None

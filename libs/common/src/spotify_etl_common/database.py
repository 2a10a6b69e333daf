"""The Glue database of the curated tables and views, unless ``CATALOGER_DATABASE`` names another.

The cataloger creates it; the operator CLI reads it (status, Athena queries, the
local stack's catalog rebuild). One name, so they all look in the same place.
"""

from __future__ import annotations

from typing import Final

DATABASE_VARIABLE: Final = "CATALOGER_DATABASE"
"""The variable that overrides the database name."""
DEFAULT_DATABASE: Final = "spotify"
"""Glue database of the curated tables and views when ``CATALOGER_DATABASE`` is unset."""

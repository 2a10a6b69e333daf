"""The household: what the extractor's last run did for each Spotify user it serves.

One deployment extracts several users (``EXTRACTOR_USERS``), each with their
own grant. After every run the extractor writes one summary per user it
tried, ``state/extractor/users/<uid>/summary.json``: when their extraction
last completed, when their grant ends, and what failed. ``spotify-etl status``
reads these (the model and the key live here so that neither imports the
other); a purge of a user deletes the whole ``user_state_prefix(uid)``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel

from spotify_etl_common.keys import USERS_STATE_PREFIX, user_of_state_key, user_state_key

SUMMARY_STATE = "summary"
"""State name of a user's run summary (``state/extractor/users/<uid>/summary.json``)."""

RunStatus = Literal["extracted", "deferred", "failed"]
"""``extracted``: every source of the user done; ``deferred``: cut by the run deadline,
the rest is the next run's; ``failed``: a source or the user's grant failed."""


def user_summary_key(user_id: str) -> str:
    """Key of the run summary of Spotify user ``user_id``."""
    return user_state_key(user_id, SUMMARY_STATE)


def summary_user(key: str) -> str | None:
    """The user id of a run-summary key (as listed under :data:`USERS_STATE_PREFIX`), else None."""
    user = user_of_state_key(key)
    return user if user is not None and key == user_summary_key(user) else None


SUMMARIES_PREFIX = USERS_STATE_PREFIX
"""List this prefix and keep the keys :func:`summary_user` recognises."""


class UserRunSummary(BaseModel):
    """One user's part of the extractor's last run, and what it keeps from earlier runs."""

    version: Literal[1] = 1
    user_id: str
    """Spotify's user id (what ``/me`` answers; the ``user=`` of the user's raw keys)."""
    name: str | None = None
    """The household name (an ``EXTRACTOR_USERS`` entry); None in a single-user deployment."""
    display_name: str | None = None
    last_run_id: str
    last_run_at: AwareDatetime
    """When the last run that tried this user finished."""
    last_status: RunStatus
    last_extraction_at: AwareDatetime | None = None
    """When the last run whose extraction of this user completed (extracted or deferred)
    finished; kept across failed runs."""
    authorized_at: AwareDatetime | None = None
    """When the user gave the grant (None when unknown: ``SPOTIFY_REFRESH_TOKEN``)."""
    grant_expires_at: AwareDatetime | None = None
    """When the grant ends (180 days after ``authorized_at``; refreshing does not extend it)."""
    grant_refused: bool = False
    """Spotify refused the user's refresh token (invalid_grant): they must authorise again."""
    failures: list[str] = []
    """The last run's failure lines for this user (each says what to do)."""
    failed_runs: int = 0
    """Runs in a row that failed for this user (0 after one that did not)."""
    requests: int = 0
    """Spotify requests the last run sent for this user's sources."""
    objects_written: int = 0

    def days_left(self, now: datetime) -> float | None:
        """Days until the grant ends (negative once it has), None if unknown."""
        if self.grant_expires_at is None:
            return None
        return round((self.grant_expires_at - now).total_seconds() / 86400, 2)

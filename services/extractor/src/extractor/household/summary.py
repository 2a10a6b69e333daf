"""What one run did for one user, as the summary ``spotify-etl status`` reads (pure).

The document (:class:`~spotify_etl_common.household.UserRunSummary`) keeps, from
the previous one, when the user's extraction last completed and how many runs
in a row failed for them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from spotify_etl_common.household import RunStatus, UserRunSummary

from extractor.outcome import Outcome, Status
from extractor.spotify.grants import UserGrant


@dataclass
class UserReport:
    """One user's part of a run."""

    name: str | None
    """Household name (None: the single user of a deployment without EXTRACTOR_USERS)."""
    user_id: str | None
    """Spotify id (from /me, else as last known); None when never learnt."""
    display_name: str | None = None
    grant: UserGrant | None = None
    outcomes: list[Outcome] = field(default_factory=list)
    refused: str | None = None
    """The line about a refused grant (invalid_grant), if Spotify refused it."""
    problems: list[str] = field(default_factory=list)
    """Failures that are no source's (the grant's secret, a rotated token not stored)."""
    requests: int = 0
    objects_written: int = 0

    @property
    def failures(self) -> list[str]:
        lines = [self.refused] if self.refused else []
        lines += self.problems
        lines += [o.error for o in self.outcomes if o.status is Status.FAILED and o.error]
        return lines

    def status(self, deferred_run: bool) -> RunStatus:
        """``failed`` if anything failed for the user; ``deferred`` if the deadline cut one
        of their sources; else ``extracted``."""
        if self.failures:
            return "failed"
        stopped = any(o.status is Status.STOPPED for o in self.outcomes)
        return "deferred" if stopped or deferred_run else "extracted"


def summarize(
    report: UserReport,
    previous: UserRunSummary | None,
    run_id: str,
    finished_at: datetime,
    deferred_run: bool,
) -> UserRunSummary | None:
    """The user's new summary document; None when the user's Spotify id is unknown."""
    if report.user_id is None:
        return None
    status = report.status(deferred_run)
    grant = report.grant
    completed = finished_at if status != "failed" else None
    return UserRunSummary(
        user_id=report.user_id,
        name=report.name,
        display_name=report.display_name or (previous.display_name if previous else None),
        last_run_id=run_id,
        last_run_at=finished_at,
        last_status=status,
        last_extraction_at=completed or (previous.last_extraction_at if previous else None),
        authorized_at=grant.authorized_at if grant else None,
        grant_expires_at=grant.expires_at() if grant else None,
        grant_refused=report.refused is not None,
        failures=report.failures,
        failed_runs=(previous.failed_runs if previous else 0) + 1 if status == "failed" else 0,
        requests=report.requests,
        objects_written=report.objects_written,
    )

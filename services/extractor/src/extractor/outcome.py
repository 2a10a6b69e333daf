"""What happened to one source in a run (the run summary is made of these)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from spotify_etl_common.errors import SpotifyEtlError, TransientError

from extractor.spotify.errors import RunStopped


class Status(StrEnum):
    EXTRACTED = "extracted"
    SKIPPED = "skipped"
    STOPPED = "stopped"
    """Not finished because the run stopped cleanly (deadline, SIGTERM): the next run goes on."""
    FAILED = "failed"


@dataclass(frozen=True)
class Outcome:
    """One source's result: a failure carries one clear line."""

    source: str
    status: Status
    objects: int = 0
    error: str | None = None
    transient: bool = False
    retry_after: float | None = None
    user: str | None = None
    """The Spotify id of the user whose source it is (None: shared, or not known)."""
    name: str | None = None
    """The household name of that user (None in a single-user deployment)."""

    def line(self) -> str | None:
        """The failure line, naming the household user when there is one."""
        if self.error is None or self.name is None:
            return self.error
        return f"user {self.name}: {self.error}"


def failed(source: str, line: str, error: SpotifyEtlError | None = None) -> Outcome:
    """A failed outcome (stopped, for a clean stop); transient errors keep their retry delay."""
    transient = isinstance(error, TransientError)
    retry_after = error.retry_after if isinstance(error, TransientError) else None
    stopped = isinstance(error, RunStopped) and error.cause is None
    status = Status.STOPPED if stopped else Status.FAILED
    return Outcome(source, status, error=line, transient=transient, retry_after=retry_after)

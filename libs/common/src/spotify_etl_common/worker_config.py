"""The worker's knobs: settings from the environment, the loop's config, its counts.

:class:`WorkerSettings` is the base of every queue-driven service's settings;
:meth:`WorkerSettings.worker_config` turns it into the :class:`WorkerConfig`
the loop (:mod:`spotify_etl_common.worker`) runs with.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import Field

from spotify_etl_common.settings import CommonSettings
from spotify_etl_common.sqs import MAX_VISIBILITY

RECEIVE_BACKOFF_BASE = 1.0
RECEIVE_BACKOFF_CAP = 20.0
FOLLOW_UP_WAIT = 1
"""Seconds the receives that fill a started batch wait (see ``WorkerConfig.follow_up_wait``)."""


def receive_backoff(failures: int) -> float:
    """Seconds to wait after ``failures`` receives in a row failed (1, 2, 4 ... 20)."""
    return float(min(RECEIVE_BACKOFF_CAP, RECEIVE_BACKOFF_BASE * 2.0 ** max(0, failures - 1)))


class WorkerSettings(CommonSettings):
    """Variables of every queue-driven service."""

    max_in_flight: int = Field(default=10, alias="SPOTIFY_ETL_MAX_IN_FLIGHT", ge=1, le=1000)
    """Most messages handled at once by one process (batch handlers: most per batch)."""
    visibility_timeout: int = Field(
        default=60, alias="SPOTIFY_ETL_VISIBILITY_TIMEOUT", ge=2, le=MAX_VISIBILITY
    )
    """Seconds a received message stays invisible; the heartbeat extends it."""
    wait_seconds: int = Field(default=20, alias="SPOTIFY_ETL_WAIT_SECONDS", ge=0, le=20)
    """Long-poll wait of each receive, 0-20 seconds."""
    exit_when_idle: float | None = Field(default=None, alias="SPOTIFY_ETL_EXIT_WHEN_IDLE", gt=0)
    """Exit 0 once idle this many seconds with nothing left on the queue; unset runs forever."""
    shutdown_grace: float = Field(default=25.0, alias="SPOTIFY_ETL_SHUTDOWN_GRACE", ge=0)
    """Seconds from SIGTERM until unfinished work is given back (below the ECS stop timeout)."""
    max_retry_delay: int = Field(default=900, alias="SPOTIFY_ETL_MAX_RETRY_DELAY", ge=0)
    """Longest delay, in seconds, a TransientError may ask for before a message is retried."""

    def worker_config(self) -> WorkerConfig:
        """The worker's knobs from these settings."""
        return WorkerConfig(
            max_in_flight=self.max_in_flight,
            visibility_timeout=self.visibility_timeout,
            wait_seconds=self.wait_seconds,
            exit_when_idle=self.exit_when_idle,
            shutdown_grace=self.shutdown_grace,
            max_retry_delay=self.max_retry_delay,
        )


@dataclass(frozen=True)
class WorkerConfig:
    """Knobs of the consumer loop (see :class:`WorkerSettings` for each meaning)."""

    max_in_flight: int = 10
    visibility_timeout: int = 60
    wait_seconds: int = 20
    exit_when_idle: float | None = None
    shutdown_grace: float = 25.0
    max_retry_delay: int = 900

    @property
    def heartbeat_interval(self) -> float:
        """Extend visibility three times per timeout, well before it lapses."""
        return self.visibility_timeout / 3

    @property
    def follow_up_wait(self) -> int:
        """Wait of the receives that fill a batch once its first messages arrived.

        1 s rather than 0: a 0 s receive is a short poll, which asks only a
        sample of SQS's servers and, on a queue of fewer than ~1,000 messages,
        often answers with fewer than are there, cutting batches short. A 1 s
        long poll asks every server and returns as soon as any message is
        there, so it waits its second only when the queue is empty.
        """
        return min(FOLLOW_UP_WAIT, self.receive_wait)

    @property
    def receive_wait(self) -> int:
        """Long-poll wait, shortened so an idle exit is noticed in time."""
        if self.exit_when_idle is None:
            return self.wait_seconds
        return max(0, min(self.wait_seconds, int(self.exit_when_idle)))


@dataclass
class WorkerStats:
    """Counts of one worker run."""

    handled: int = 0
    retried: int = 0
    dead_lettered: int = 0
    given_back: int = 0

"""The one way rows enter a table: replace what some raw objects gave with their new files.

:func:`replace_sources` is one Iceberg transaction: delete the rows whose
``source_key`` is one of the batch's raw keys (what a replay or a redelivery
brings again), then register the new files where they are (``add_files``: no
rewrite, partition values from their column statistics). The transaction
commits as one new table metadata, so a reader sees the table before or after
it, never the old and the new rows together, nor neither. Re-adding a file the
table already holds works: the staged delete has removed it first.

Two committers (cataloger tasks, maintenance) race on the table's metadata:
the loser's commit fails with ``CommitFailedException`` (on AWS, Glue's
``VersionId`` check; locally pyiceberg's requirement that the table did not
move since it was loaded). :func:`committing` then waits, reloads the table
and does the whole change again on the new state, a bounded number of times;
a change that keeps losing is a :class:`TransientError`, so its messages come
back later. Waits go through an injected ``sleep``.
"""

from __future__ import annotations

import random
import time
import warnings
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import Final

from pyiceberg.exceptions import CommitFailedException, ValidationException
from pyiceberg.expressions import In
from pyiceberg.table import Table, Transaction
from spotify_etl_common.errors import TransientError

from spotify_etl_lake.errors import translating_lake

SOURCE_KEY: Final = "source_key"
"""The lineage column every row carries: the raw object it was read from."""

CONFLICTS: Final = (CommitFailedException, ValidationException)
"""A commit that lost to another writer (or whose validation saw its change): redo it."""

NO_MATCH_WARNING: Final = "Delete operation did not match any records"
"""pyiceberg warns when a delete finds nothing: a first delivery always does."""


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently a losing commit is redone."""

    attempts: int = 8
    """Commits tried in all (the first included)."""
    first_wait: float = 0.1
    """Seconds before the second attempt; doubled each time."""
    max_wait: float = 5.0
    """Longest wait between two attempts, in seconds."""

    def wait(self, attempt: int, jitter: float) -> float:
        """Seconds to wait after failed attempt ``attempt`` (1-based); ``jitter`` in [0, 1)."""
        base = min(self.first_wait * 2.0 ** (attempt - 1), self.max_wait)
        return base * (0.5 + jitter / 2)  # two losers do not come back in step


DEFAULT_POLICY: Final = RetryPolicy()


def _name(table: Table) -> str:
    return ".".join(table.name())


@dataclass(frozen=True)
class Committed:
    """A change that landed."""

    table: Table
    """The table as the commit left it."""
    attempts: int
    """Commits it took (1: no conflict)."""


def committing(
    table: Table,
    change: Callable[[Transaction], None],
    *,
    action: str,
    policy: RetryPolicy = DEFAULT_POLICY,
    sleep: Callable[[float], None] = time.sleep,
    jitter: Callable[[], float] = random.random,
) -> Committed:
    """Apply ``change`` to a transaction of ``table`` and commit; on a conflict, redo.

    ``table`` is used as given for the first attempt (the caller loaded it);
    each retry reloads it, so ``change`` is planned against the new state.
    """
    for attempt in range(1, policy.attempts + 1):
        try:
            with translating_lake(action):
                tx = table.transaction()
                change(tx)
                committed = tx.commit_transaction()
            return Committed(committed, attempt)
        except CONFLICTS as conflict:
            if attempt == policy.attempts:
                raise TransientError(
                    f"{action}: lost {attempt} commits in a row to other writers of "
                    f"{_name(table)} (last: {conflict}); trying again later"
                ) from conflict
            sleep(policy.wait(attempt, jitter()))
            with translating_lake(f"reload {_name(table)}"):
                table = table.refresh()
    raise AssertionError("unreachable: RetryPolicy.attempts must be at least 1")


def replacing(
    source_keys: Collection[str], file_paths: Sequence[str]
) -> Callable[[Transaction], None]:
    """The change of :func:`replace_sources`: delete the sources' rows, add the files."""
    keys = sorted(set(source_keys))
    paths = list(dict.fromkeys(file_paths))

    def change(tx: Transaction) -> None:
        if keys:
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", message=NO_MATCH_WARNING, category=UserWarning)
                tx.delete(In(term=SOURCE_KEY, literals=keys))
        if paths:
            tx.add_files(paths)

    return change


def replace_sources(
    table: Table,
    source_keys: Collection[str],
    file_paths: Sequence[str],
    *,
    policy: RetryPolicy = DEFAULT_POLICY,
    sleep: Callable[[float], None] = time.sleep,
    jitter: Callable[[], float] = random.random,
) -> Committed:
    """One transaction: the rows of ``source_keys`` leave ``table``, ``file_paths`` enter it.

    ``file_paths`` are ``s3://`` URIs of Parquet files whose rows all carry one of
    ``source_keys`` (a file without rows need not be given). A file the table cannot
    take (columns of other types, already registered under another raw key) is a
    ``PermanentError``; nothing of the change lands then.
    """
    return committing(
        table,
        replacing(source_keys, file_paths),
        action=f"replace {len(set(source_keys))} source(s) in {_name(table)}",
        policy=policy,
        sleep=sleep,
        jitter=jitter,
    )

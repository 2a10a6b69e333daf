"""How long a losing commit waits before it is redone (pure)."""

from __future__ import annotations

import pytest
from spotify_etl_lake.commit import RetryPolicy


def test_waits_double_from_the_first_up_to_the_longest() -> None:
    policy = RetryPolicy(attempts=8, first_wait=0.1, max_wait=1.0)

    waits = [policy.wait(attempt, jitter=1.0) for attempt in range(1, 7)]

    assert waits == [0.1, 0.2, 0.4, 0.8, 1.0, 1.0]


def test_jitter_takes_up_to_half_of_a_wait_so_two_losers_part() -> None:
    policy = RetryPolicy(first_wait=0.4)

    assert policy.wait(1, jitter=0.0) == 0.2
    assert policy.wait(1, jitter=0.5) == pytest.approx(0.3)

"""One run: every configured source once, and the albums and artists they reference.

Sources fail independently: a bad playlist never stops the others. Entities
referenced by a playlist are fetched as soon as that playlist is done (and
those left over by the previous run's bound at once), so the rate window stays
full. The report says what was extracted, skipped and failed, one clear line
per failure.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from extractor import explain
from extractor.client import RequestCounters, SpotifyClient
from extractor.entities import EntityBudget, StoredIndex, extract_entities
from extractor.models import References
from extractor.outcome import Outcome, Status, failed
from extractor.output import Publisher
from extractor.playlists import extract_playlist
from extractor.recent import extract_recent
from extractor.refs import BadRef, PlaylistRef
from extractor.state import PendingEntities, StateStore


@dataclass(frozen=True)
class RunPlan:
    """What one run extracts (from settings, parsed)."""

    playlists: Sequence[PlaylistRef | BadRef] = ()
    recently_played: bool = False
    items_endpoint: str = "items"
    max_entities: int = 200
    recent_max_pages: int = 20


@dataclass
class RunReport:
    """The result of one run."""

    run_id: str
    outcomes: list[Outcome] = field(default_factory=list)
    counters: RequestCounters = field(default_factory=RequestCounters)
    objects_written: int = 0
    messages_sent: int = 0
    seconds: float = 0.0

    @property
    def failures(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status is Status.FAILED]

    @property
    def ok(self) -> bool:
        return not self.failures

    def count(self, status: Status) -> int:
        return sum(1 for o in self.outcomes if o.status is status)

    def summary_lines(self) -> list[str]:
        """Human summary: one headline, then one line per failure."""
        head = (
            f"run {self.run_id}: {self.count(Status.EXTRACTED)} extracted, "
            f"{self.count(Status.SKIPPED)} skipped, {len(self.failures)} failed; "
            f"{self.objects_written} objects written, {self.messages_sent} messages sent, "
            f"{self.counters.requests} Spotify requests ({self.counters.rate_limited} answered 429)"
        )
        return [head, *(f"FAILED {o.error}" for o in self.failures)]


async def run_once(
    client: SpotifyClient, state: StateStore, publisher: Publisher, plan: RunPlan
) -> RunReport:
    """Run every source of ``plan`` once."""
    started = time.monotonic()
    report = RunReport(run_id=publisher.run.run_id)
    for ref in plan.playlists:
        if isinstance(ref, BadRef):
            report.outcomes.append(failed(f"playlist {ref.text!r}", explain.bad_ref(ref)))
    budget = EntityBudget(remaining=plan.max_entities, index=StoredIndex(publisher))
    pending = await state.pending_entities()

    async def entities_of(references: References) -> None:
        await extract_entities(client, publisher, references, budget)

    async def playlist(ref: PlaylistRef) -> Outcome:
        result = await extract_playlist(
            client, state, publisher, ref.playlist_id, plan.items_endpoint
        )
        await entities_of(result.references)
        return result.outcome

    async def recent() -> Outcome:
        result = await extract_recent(client, state, publisher, plan.recent_max_pages)
        await entities_of(result.references)
        return result.outcome

    async def carried_over() -> None:
        await entities_of(References(albums=set(pending.albums), artists=set(pending.artists)))

    tasks = [playlist(r) for r in plan.playlists if isinstance(r, PlaylistRef)]
    if plan.recently_played:
        tasks.append(recent())
    outcomes, _ = await asyncio.gather(asyncio.gather(*tasks), carried_over())
    report.outcomes.extend(outcomes)
    if budget.seen:
        report.outcomes.append(budget.outcome())
    left = budget.pending_references()
    still = PendingEntities(albums=sorted(left.albums), artists=sorted(left.artists))
    if still != pending:
        await state.save_pending_entities(still)
    report.counters = client.counters
    report.objects_written = publisher.objects_written
    report.messages_sent = publisher.messages_sent
    report.seconds = time.monotonic() - started
    return report

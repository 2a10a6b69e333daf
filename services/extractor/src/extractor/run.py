"""One run: every configured source once, then the albums and artists they reference.

Sources fail independently: a bad playlist never stops the others. The report
says what was extracted, skipped and failed, one clear line per failure.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from extractor import explain
from extractor.client import RequestCounters, SpotifyClient
from extractor.entities import extract_entities
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
    references = References()
    bad = [r for r in plan.playlists if isinstance(r, BadRef)]
    for ref in bad:
        report.outcomes.append(failed(f"playlist {ref.text!r}", explain.bad_ref(ref)))
    good = [r for r in plan.playlists if isinstance(r, PlaylistRef)]
    playlist_results = await asyncio.gather(
        *(
            extract_playlist(client, state, publisher, r.playlist_id, plan.items_endpoint)
            for r in good
        )
    )
    for result in playlist_results:
        report.outcomes.append(result.outcome)
        references.merge(result.references)
    if plan.recently_played:
        recent = await extract_recent(client, state, publisher, plan.recent_max_pages)
        report.outcomes.append(recent.outcome)
        references.merge(recent.references)
    pending = await state.pending_entities()
    references.merge(References(albums=set(pending.albums), artists=set(pending.artists)))
    if references.albums or references.artists:
        entities = await extract_entities(client, publisher, references, plan.max_entities)
        report.outcomes.append(entities.outcome)
        left = PendingEntities(
            albums=sorted(entities.pending.albums), artists=sorted(entities.pending.artists)
        )
        if left != pending:
            await state.save_pending_entities(left)
    report.counters = client.counters
    report.objects_written = publisher.objects_written
    report.messages_sent = publisher.messages_sent
    report.seconds = time.monotonic() - started
    return report

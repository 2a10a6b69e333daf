"""One run: every configured source once, and the albums, artists, episodes, shows they reference.

Sources fail independently: a bad playlist never stops the others. Entities
referenced by a playlist are journaled before its snapshot is saved and
fetched as soon as that playlist is done (and those left by earlier runs at
once), so the rate window stays full. The run's circuit stops every queued
request at once on a quota hit, a Retry-After past the bound, a dead accounts
service, the deadline or SIGTERM; what was fetched is still written and
announced. The report says what was extracted, skipped, stopped and failed,
one clear line per failure and one line for why the run stopped.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from spotify_etl_common.errors import SpotifyEtlError

from extractor import explain
from extractor.outcome import Outcome, Status, failed
from extractor.output import Publisher
from extractor.sources.entities import (
    EntityBudget,
    StoredIndex,
    carry_over,
    fetch_entities,
    register,
)
from extractor.sources.library import LibraryPlan
from extractor.sources.library_pages import LibraryResult
from extractor.sources.library_run import run_library
from extractor.sources.playlists import PlaylistResult, Register, extract_playlist
from extractor.sources.recent import RecentResult, extract_recent
from extractor.sources.refs import BadRef, PlaylistRef
from extractor.spotify.circuit import DEADLINE
from extractor.spotify.client import RequestCounters, SpotifyClient
from extractor.spotify.errors import AuthorizationExpired, QuotaExceeded
from extractor.spotify.models import References
from extractor.state.documents import StateStore
from extractor.state.gone import GoneBook
from extractor.state.journal import Entity, PendingJournal

SourceRun = Callable[[Register], Awaitable[PlaylistResult | RecentResult | LibraryResult]]


@dataclass(frozen=True)
class RunPlan:
    """What one run extracts (from settings, parsed)."""

    playlists: Sequence[PlaylistRef | BadRef] = ()
    recently_played: bool = False
    items_endpoint: str = "items"
    max_entities: int = 200
    recent_max_pages: int = 20
    library: LibraryPlan = field(default_factory=LibraryPlan)
    gone_after: int = 3
    """Runs an entity may answer 404 before it is recorded as gone (EXTRACTOR_GONE_AFTER)."""


@dataclass
class RunReport:
    """The result of one run."""

    run_id: str
    outcomes: list[Outcome] = field(default_factory=list)
    counters: RequestCounters = field(default_factory=RequestCounters)
    objects_written: int = 0
    messages_sent: int = 0
    seconds: float = 0.0
    stop_reason: str | None = None
    """Why the run stopped early (quota, Retry-After past the bound, deadline, SIGTERM)."""
    quota: QuotaExceeded | None = None
    """The quota hit that stopped the run, if one did."""
    authorization: str | None = None
    """The one line about a refused user authorisation (invalid_grant), if any."""
    problems: list[str] = field(default_factory=list)
    """Run-level failures that belong to no source (a rotated token not stored)."""
    warnings: list[str] = field(default_factory=list)
    days_left: float | None = None
    """Days until the user's authorisation ends (None without a dated one)."""
    finished_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    busy: str | None = None
    """Set when another run held the lease: this run did nothing."""
    deadline: bool = False
    """The run was cut by its deadline (EXTRACTOR_RUN_DEADLINE)."""
    deferred_entities: int = 0
    """Referenced albums, artists, episodes and shows left in the journal for the next run."""

    @property
    def failures(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status is Status.FAILED]

    @property
    def ok(self) -> bool:
        """Every configured source done and nothing else went wrong."""
        return (
            not self.failures
            and not self.problems
            and self.stop_reason is None
            and self.count(Status.STOPPED) == 0
        )

    @property
    def deferred(self) -> bool:
        """Cut by its deadline and nothing else went wrong: what it fetched is kept, the
        rest is the next run's (a clean stop, neither a success nor a failure)."""
        return (
            self.deadline
            and not self.failures
            and not self.problems
            and self.authorization is None
            and self.quota is None
        )

    @property
    def stopped_sources(self) -> list[str]:
        """The sources the stop left unfinished (the next run goes on with them)."""
        return [o.source for o in self.outcomes if o.status is Status.STOPPED]

    def count(self, status: Status) -> int:
        return sum(1 for o in self.outcomes if o.status is status)

    def stop_line(self) -> str | None:
        """One line saying why the run stopped early, and when to try again."""
        if self.quota is not None:
            wait = self.quota.retry_after
            when = (
                f"retry after {self.finished_at + timedelta(seconds=wait):%Y-%m-%d %H:%M} UTC "
                f"(Retry-After {wait:.0f} s)"
                if wait is not None
                else "Spotify sent no Retry-After: retry tomorrow"
            )
            return (
                "Spotify's daily request quota for this app is exhausted (429 QUOTA_EXCEEDED): "
                f"the run stopped its Spotify work and kept what it fetched; {when}"
            )
        if self.deadline:
            sources = ", ".join(self.stopped_sources) or "no source"
            lead = (
                "the run deadline (EXTRACTOR_RUN_DEADLINE) was reached"
                if self.stop_reason in (None, DEADLINE)
                else self.stop_reason
            )
            return (
                f"{lead}: no new request started; "
                f"deferred to the next run: {sources}; {self.deferred_entities} albums, artists, "
                "episodes and shows wait in the journal; what was fetched is written and announced "
                "and state advanced for exactly that"
            )
        if self.stop_reason is not None:
            return f"run stopped early: {self.stop_reason}; what was fetched is kept"
        return None

    def summary_lines(self) -> list[str]:
        """Human summary: one headline, the run-level lines, then one line per failure."""
        head = (
            f"run {self.run_id}: {self.count(Status.EXTRACTED)} extracted, "
            f"{self.count(Status.SKIPPED)} skipped, {self.count(Status.STOPPED)} stopped, "
            f"{len(self.failures)} failed; "
            f"{self.objects_written} objects written, {self.messages_sent} messages sent, "
            f"{self.counters.requests} Spotify requests ({self.counters.rate_limited} answered 429)"
        )
        lines = [head]
        lines += [f"WARNING {w}" for w in self.warnings]
        if (stop := self.stop_line()) is not None:
            lines.append(f"{'DEFERRED' if self.deferred else 'STOPPED'} {stop}")
        if self.authorization is not None:
            lines.append(f"FAILED {self.authorization}")
        lines += [f"FAILED {p}" for p in self.problems]
        lines += [f"FAILED {o.error}" for o in self.failures]
        return lines


async def run_once(
    client: SpotifyClient, state: StateStore, publisher: Publisher, plan: RunPlan
) -> RunReport:
    """Run every source of ``plan`` once."""
    started = time.monotonic()
    report = RunReport(run_id=publisher.run.run_id)
    for ref in plan.playlists:
        if isinstance(ref, BadRef):
            report.outcomes.append(failed(f"playlist {ref.text!r}", explain.bad_ref(ref)))
    book = await GoneBook.load(state, plan.gone_after, publisher.run.started_at)
    budget = EntityBudget(
        remaining=plan.max_entities,
        index=StoredIndex(publisher),
        episodes=client.tokens.has_user,
        shows_remaining=plan.library.max_shows,
        book=book,
    )
    journal = await PendingJournal.load(state)
    await journal.done([e for e in journal.entities if book.is_gone(e)])  # never fetched again
    # claimed before any source runs: a stored entity left by a killed run is announced
    carried = budget.claim_new(sorted(journal.entities))

    async def keeping_errors(entities: list[Entity], work: Awaitable[None]) -> None:
        """Run ``work`` on ``entities``; a failure (announcing, journaling) joins the budget."""
        try:
            await work
        except SpotifyEtlError as error:
            budget.errors.append((entities[0], error))

    async def source(extract: SourceRun) -> Outcome:
        registered: list[Entity] = []

        async def journal_references(references: References) -> None:
            registered.extend(await register(references, budget, journal))

        result = await extract(journal_references)
        if registered:
            work = fetch_entities(client, publisher, registered, budget, journal)
            await keeping_errors(registered, work)
        return result.outcome

    def playlist(ref: PlaylistRef) -> SourceRun:
        async def run(reg: Register) -> PlaylistResult:
            return await extract_playlist(
                client, state, publisher, ref.playlist_id, plan.items_endpoint, reg
            )

        return run

    async def recent(reg: Register) -> RecentResult:
        return await extract_recent(client, state, publisher, plan.recent_max_pages, reg)

    async def carried_over() -> None:
        if carried:
            await keeping_errors(carried, carry_over(client, publisher, carried, budget, journal))

    async def library() -> list[Outcome]:
        if not plan.library.active:
            return []
        configured = {r.playlist_id for r in plan.playlists if isinstance(r, PlaylistRef)}
        return await run_library(
            client,
            state,
            publisher,
            plan.library,
            source,
            lambda playlist_id: source(playlist(PlaylistRef(playlist_id, playlist_id))),
            configured,
        )

    tasks = [source(playlist(r)) for r in plan.playlists if isinstance(r, PlaylistRef)]
    if plan.recently_played:
        tasks.append(source(recent))
    outcomes, _, library_outcomes = await asyncio.gather(
        asyncio.gather(*tasks), carried_over(), library()
    )
    report.outcomes.extend(outcomes)
    report.outcomes.extend(library_outcomes)
    if budget.seen:
        report.outcomes.append(budget.outcome())
    circuit = client.circuit
    report.stop_reason = circuit.stop_reason
    report.deadline = circuit.deadline_reached
    report.deferred_entities = len(journal.entities)
    if isinstance(circuit.cause, QuotaExceeded):
        report.quota = circuit.cause
    refused = client.tokens.refusal
    if isinstance(refused, AuthorizationExpired):
        report.authorization = refused.reason
    report.problems.extend(client.tokens.problems)
    report.warnings.extend(client.tokens.warnings)
    if budget.missing:
        report.warnings.append(
            explain.entities_missing(budget.missing, book.newly_gone, book.after)
        )
    report.counters = client.counters
    report.objects_written = publisher.objects_written
    report.messages_sent = publisher.messages_sent
    report.seconds = time.monotonic() - started
    report.finished_at = datetime.now(UTC)
    return report

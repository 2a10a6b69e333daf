"""Recently played source: incremental by the ``after`` cursor kept in S3 state.

The cursor advances only past pages written and announced, and after the
albums and artists they reference are journaled. A run stopped half-way (a
quota hit, the deadline) keeps what it fetched: it announces those pages and
moves the cursor to the last of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from spotify_etl_common.errors import SpotifyEtlError
from spotify_etl_common.keys import recently_played_key
from spotify_etl_common.messages import Source

from extractor import explain
from extractor.outcome import Outcome, Status, failed
from extractor.output import Publisher, RawObject
from extractor.sources.playlists import Register
from extractor.spotify.client import SpotifyClient
from extractor.spotify.models import RecentPage, References, parse, recent_references
from extractor.spotify.tokens import TokenKind
from extractor.state.documents import StateStore

SOURCE = "recently played"
PAGE_SIZE = 50


@dataclass(frozen=True)
class RecentResult:
    outcome: Outcome
    references: References


def next_cursor(page: RecentPage, current: int) -> int:
    """The cursor after ``page``: its ``cursors.after``, else its newest ``played_at``."""
    candidates = [current]
    if page.cursors and page.cursors.after and page.cursors.after.isdigit():
        candidates.append(int(page.cursors.after))
    for play in page.items:
        if play.played_at:
            stamp = datetime.fromisoformat(play.played_at.replace("Z", "+00:00"))
            candidates.append(int(stamp.timestamp() * 1000))
    return max(candidates)


async def extract_recent(
    client: SpotifyClient,
    state: StateStore,
    publisher: Publisher,
    max_pages: int,
    register: Register,
) -> RecentResult:
    """Fetch plays after the stored cursor, write them, announce them, then move the cursor."""
    try:
        return await _extract(client, state, publisher, max_pages, register)
    except SpotifyEtlError as error:
        return RecentResult(failed(SOURCE, explain.recent_failure(error), error), References())


async def _extract(
    client: SpotifyClient,
    state: StateStore,
    publisher: Publisher,
    max_pages: int,
    register: Register,
) -> RecentResult:
    after = await state.recent_cursor() or 0
    objects: list[RawObject] = []
    references = References()
    try:
        for _ in range(max_pages):
            response = await client.get(
                "/me/player/recently-played",
                {"limit": PAGE_SIZE, "after": after},
                token=TokenKind.USER,
            )
            page = parse(RecentPage, response.data, SOURCE)
            if not page.items:
                break
            obj = RawObject(
                key=recently_played_key(after, publisher.user_id),
                body=response.body,
                source=Source.RECENTLY_PLAYED,
            )
            await publisher.write(obj)
            objects.append(obj)
            references.merge(recent_references(page))
            advanced = next_cursor(page, after)
            if advanced <= after:
                break
            after = advanced
            if page.next is None:
                break
    except SpotifyEtlError:
        await _keep(state, publisher, objects, references, after, register)
        raise
    if not objects:
        return RecentResult(Outcome(SOURCE, Status.SKIPPED), references)
    await _keep(state, publisher, objects, references, after, register)
    return RecentResult(Outcome(SOURCE, Status.EXTRACTED, objects=len(objects)), references)


async def _keep(
    state: StateStore,
    publisher: Publisher,
    objects: list[RawObject],
    references: References,
    after: int,
    register: Register,
) -> None:
    """Announce the pages written, journal their entities, then move the cursor past them."""
    if not objects:
        return
    await publisher.announce(objects)
    await register(references)
    await state.save_recent_cursor(after)

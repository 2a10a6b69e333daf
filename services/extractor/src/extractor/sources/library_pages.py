"""Listing a library endpoint page by page: write each page as received, announce them all.

:func:`list_pages` follows ``next`` links (offset or cursor) until the last page
(a link off the API's own host or not https is not followed: the page is asked
for on the API by its offset or cursor, so the token never goes elsewhere),
until ``stop`` says the page reached what is already stored, or until the
page count exceeds what ``total`` allows (a broken ``next`` chain). Pages
written before a failure are still announced, then the error is raised.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel
from spotify_etl_common.errors import PermanentError, SpotifyEtlError, TransientError
from spotify_etl_common.keys import library_page_key
from spotify_etl_common.sources import Source

from extractor.outcome import Outcome, Status, failed
from extractor.output import Publisher, RawObject
from extractor.sources.playlists import page_limit
from extractor.spotify.client import SpotifyClient
from extractor.spotify.errors import RunStopped, SpotifyHttpError
from extractor.spotify.models import References, parse
from extractor.spotify.tokens import TokenKind

PAGE_SIZE = 50
"""Largest page of every library endpoint."""
P = TypeVar("P", bound=BaseModel)


@dataclass
class LibraryResult:
    """What one library source did, and what it references."""

    outcome: Outcome
    references: References = field(default_factory=References)
    playlists: list[tuple[str, str | None]] = field(default_factory=list)
    """Playlists to extract (``mine``), with the snapshot id the listing gave."""


@dataclass
class Listing:
    """The pages of one listing, parsed, and the raw objects written for them."""

    pages: list[Any] = field(default_factory=list)
    objects: list[RawObject] = field(default_factory=list)


async def list_pages(
    client: SpotifyClient,
    publisher: Publisher,
    *,
    name: str,
    source: Source,
    path: str,
    params: Mapping[str, str | int],
    model: type[P],
    page_of: Callable[[P], Any] = lambda page: page,
    stop: Callable[[P], bool] = lambda _: False,
    time_range: str | None = None,
    follow_links: bool = True,
) -> Listing:
    """Every page of ``path`` (``page_of`` picks the paging object out of a wrapped answer).

    ``follow_links`` False: every page is asked for by its offset, whatever ``next`` says
    (``/me/playlists`` links to ``/users/{id}/playlists``, removed in development mode).
    """
    listing = Listing()
    run = publisher.run
    request: tuple[str, Mapping[str, str | int] | None] | None = (path, params)
    bound = page_limit(None, PAGE_SIZE)
    try:
        while request is not None:
            url, query = request
            number = len(listing.pages)
            if number >= bound:
                raise PermanentError(f"{name}: pagination did not end after {number} pages")
            response = await client.get(url, query, token=TokenKind.USER)
            page = parse(model, response.data, name)
            paging = page_of(page)
            bound = page_limit(paging.total, PAGE_SIZE)
            key = library_page_key(
                source, run.run_id, run.started_at.date(), number, time_range, publisher.user_id
            )
            obj = RawObject(key=key, body=response.body, source=source, page=number)
            await publisher.write(obj)
            listing.pages.append(page)
            listing.objects.append(obj)
            if stop(page):
                break
            offset = len(listing.pages) * PAGE_SIZE
            link = paging.next
            if link is not None and not follow_links:
                request = (path, {**params, "offset": offset})
            else:
                request = client.next_request(link, path, params, offset, name=name)
    except SpotifyEtlError:
        await publisher.announce(listing.objects)
        raise
    await publisher.announce(listing.objects)
    return listing


def library_failure(name: str, scopes: tuple[str, ...], error: SpotifyEtlError) -> Outcome:
    """The outcome of a library source that failed, with one clear line."""
    if isinstance(error, SpotifyHttpError) and error.status in (401, 403):
        line = (
            f"{name} needs a user token with scope {' '.join(scopes)} (Spotify answered "
            f"{error.status}: {error.message}): run `extractor auth --store` with "
            "EXTRACTOR_LIBRARY set as it is now"
        )
    elif isinstance(error, RunStopped) and error.cause is None:
        line = f"{name} stopped: {error.reason}; the next run goes on from here"
    elif isinstance(error, TransientError):
        later = f" (retry after {error.retry_after:.0f} s)" if error.retry_after else ""
        line = f"{name} failed: {error.reason}{later}; the next run will try again"
    else:
        line = f"{name} failed: {error.reason}"
    return failed(name, line, error)


def extracted(name: str, objects: int) -> Outcome:
    return Outcome(name, Status.EXTRACTED, objects=objects)

"""Top items and followed artists: small lists, so a whole snapshot every run.

Top artists and top tracks are read for each time range (short, medium, long
term), 50 a page; followed artists by cursor pages. Each page is a raw object
keyed by run (and time range): the views compare consecutive snapshots.
"""

from __future__ import annotations

from spotify_etl_common.errors import SpotifyEtlError
from spotify_etl_common.sources import Source

from extractor.output import Publisher
from extractor.sources.library import SCOPES, LibrarySource
from extractor.sources.library_models import FollowedPage, ItemsPage, top_track_references
from extractor.sources.library_pages import (
    PAGE_SIZE,
    LibraryResult,
    extracted,
    library_failure,
    list_pages,
)
from extractor.sources.playlists import Register
from extractor.spotify.client import SpotifyClient
from extractor.spotify.models import References

TIME_RANGES = ("short_term", "medium_term", "long_term")
_TOP = (("artists", Source.TOP_ARTISTS), ("tracks", Source.TOP_TRACKS))


async def extract_top_items(
    client: SpotifyClient, publisher: Publisher, register: Register
) -> LibraryResult:
    """Every top artist and track of every time range (albums and artists of tracks registered)."""
    name = "top items"
    objects = 0
    references = References()
    try:
        for kind, source in _TOP:
            for time_range in TIME_RANGES:
                listing = await list_pages(
                    client,
                    publisher,
                    name=name,
                    source=source,
                    path=f"/me/top/{kind}",
                    params={"time_range": time_range, "limit": PAGE_SIZE, "offset": 0},
                    model=ItemsPage,
                    time_range=time_range,
                )
                objects += len(listing.objects)
                if kind == "tracks":
                    for page in listing.pages:
                        references.merge(top_track_references(page))
        await register(references)
    except SpotifyEtlError as error:
        return LibraryResult(library_failure(name, SCOPES[LibrarySource.TOP_ITEMS], error))
    return LibraryResult(extracted(name, objects), references)


async def extract_followed_artists(client: SpotifyClient, publisher: Publisher) -> LibraryResult:
    """Every artist the user follows (full artist objects: nothing to fetch after)."""
    name = "followed artists"
    try:
        listing = await list_pages(
            client,
            publisher,
            name=name,
            source=Source.FOLLOWED_ARTISTS,
            path="/me/following",
            params={"type": "artist", "limit": PAGE_SIZE},
            model=FollowedPage,
            page_of=lambda page: page.artists,
        )
    except SpotifyEtlError as error:
        return LibraryResult(library_failure(name, SCOPES[LibrarySource.FOLLOWED_ARTISTS], error))
    return LibraryResult(extracted(name, len(listing.objects)))

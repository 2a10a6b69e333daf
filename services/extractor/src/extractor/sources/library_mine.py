"""``EXTRACTOR_PLAYLISTS=mine``: the playlists of ``/me/playlists`` the user may read.

Every page is stored (the transformer makes ``playlists`` rows of them); the
playlists the user owns or collaborates on are returned to be extracted like
configured ones. The others answer 403 on their items since February 2026, so
they are left alone with one info line, not an error. Its pages link to
``/users/{id}/playlists`` (removed for development mode in 2026), so the next
page is always asked of ``/me/playlists`` by its offset.
"""

from __future__ import annotations

from spotify_etl_common.errors import SpotifyEtlError
from spotify_etl_common.logs import get_logger
from spotify_etl_common.sources import Source

from extractor.output import Publisher
from extractor.sources.library import MINE_SCOPES
from extractor.sources.library_models import Me, MyPlaylist, MyPlaylistsPage
from extractor.sources.library_pages import (
    PAGE_SIZE,
    LibraryResult,
    extracted,
    library_failure,
    list_pages,
)
from extractor.spotify.client import SpotifyClient
from extractor.spotify.models import parse
from extractor.spotify.tokens import TokenKind

log = get_logger("extractor")
NAME = "my playlists"


def readable(playlist: MyPlaylist, user_id: str) -> bool:
    """Owned by the user, or collaborative (the user is among its collaborators)."""
    return playlist.collaborative or (playlist.owner is not None and playlist.owner.id == user_id)


async def extract_mine(client: SpotifyClient, publisher: Publisher) -> LibraryResult:
    """List ``/me/playlists``; the result's ``playlists`` are the ones to extract."""
    try:
        me_id = publisher.user_id  # the run asked /me already for this user
        if me_id is None:
            me_id = parse(Me, (await client.get("/me", token=TokenKind.USER)).data, NAME).id
        listing = await list_pages(
            client,
            publisher,
            name=NAME,
            source=Source.MY_PLAYLISTS,
            path="/me/playlists",
            params={"limit": PAGE_SIZE, "offset": 0},
            model=MyPlaylistsPage,
            follow_links=False,  # its next links name /users/{id}/playlists, gone since 2026
        )
    except SpotifyEtlError as error:
        return LibraryResult(library_failure(NAME, MINE_SCOPES, error))
    found = [p for page in listing.pages for p in page.items if p is not None]
    chosen = list(dict.fromkeys((p.id, p.snapshot_id) for p in found if readable(p, me_id)))
    others = [p for p in found if not readable(p, me_id)]
    if others:
        log.info(
            "extract.playlists.others_skipped",
            run_id=publisher.run.run_id,
            user=me_id,
            count=len(others),
            playlists=[f"{p.name} ({p.id})" for p in others],
            why="owned by someone else and not collaborative: their items answer 403",
        )
    return LibraryResult(extracted(NAME, len(listing.objects)), playlists=chosen)

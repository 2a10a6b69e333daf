"""``fake-spotify serve``: run the fake Spotify Web API until interrupted.

Prints ``FAKE_SPOTIFY_URL=...`` and ``FAKE_SPOTIFY_PLAYLISTS=...`` on stdout once
it is ready; use ``SPOTIFY_API_URL=<url>/v1`` and ``SPOTIFY_ACCOUNTS_URL=<url>``.
"""

from __future__ import annotations

import argparse
import sys

from fake_spotify.catalog import CatalogSpec, build_catalog
from fake_spotify.household import FakeUser
from fake_spotify.server import FakeConfig, FakeSpotify
from fake_spotify.tokens import Credentials


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="fake-spotify", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the fake API on loopback")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=0, help="0 picks a free port")
    serve.add_argument(
        "--playlists", type=int, default=CatalogSpec.playlists, help="playlists the user owns"
    )
    serve.add_argument(
        "--items", type=int, default=CatalogSpec.items, help="items per owned playlist"
    )
    serve.add_argument(
        "--plays", type=int, default=CatalogSpec.plays, help="recently played entries"
    )
    serve.add_argument(
        "--saved-tracks", type=int, default=CatalogSpec.saved_tracks, help="tracks in the library"
    )
    serve.add_argument(
        "--saved-albums", type=int, default=CatalogSpec.saved_albums, help="albums in the library"
    )
    serve.add_argument(
        "--followed-artists",
        type=int,
        default=CatalogSpec.followed_artists,
        help="artists followed",
    )
    serve.add_argument(
        "--top-items", type=int, default=CatalogSpec.top_items, help="top artists/tracks per range"
    )
    serve.add_argument(
        "--rate-limit", type=int, default=FakeConfig.rate_limit, help="requests per window; 0 = off"
    )
    serve.add_argument(
        "--window", type=float, default=FakeConfig.window, help="rolling window in seconds"
    )
    serve.add_argument(
        "--error-rate", type=float, default=FakeConfig.error_rate, help="fraction of injected 5xx"
    )
    serve.add_argument(
        "--token-lifetime",
        type=float,
        default=FakeConfig.token_lifetime,
        help="expires_in, seconds",
    )
    serve.add_argument(
        "--latency", type=float, default=FakeConfig.latency, help="seconds added per API answer"
    )
    serve.add_argument(
        "--rotate-refresh-tokens",
        action="store_true",
        help="every refresh answers a new refresh token and refuses the used one (PKCE)",
    )
    serve.add_argument(
        "--refresh-token-expired",
        action="store_true",
        help="every refresh answers 400 invalid_grant (authorisation expired or revoked)",
    )
    serve.add_argument(
        "--daily-quota",
        type=int,
        default=FakeConfig.daily_quota,
        help="API requests before every answer is 429 QUOTA_EXCEEDED; 0 = off",
    )
    serve.add_argument(
        "--omit-retry-after", action="store_true", help="rate-limit 429s carry no Retry-After"
    )
    serve.add_argument(
        "--users",
        default="",
        help="more users of the app (comma list of ids): each one's refresh token is "
        "fake-refresh-token-<id>, with their own playlists, plays and library",
    )
    serve.add_argument(
        "--user-saved-tracks", type=int, default=FakeUser.saved_tracks, help="each --users user's"
    )
    serve.add_argument("--user-plays", type=int, default=FakeUser.plays, help="each --users user's")
    serve.add_argument("--seed", type=int, default=CatalogSpec.seed)
    serve.add_argument("--client-id", default=Credentials.client_id)
    serve.add_argument("--client-secret", default=Credentials.client_secret)
    serve.add_argument("--refresh-token", default=Credentials.refresh_token)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    catalog = build_catalog(
        CatalogSpec(
            playlists=args.playlists,
            items=args.items,
            plays=args.plays,
            seed=args.seed,
            saved_tracks=args.saved_tracks,
            saved_albums=args.saved_albums,
            followed_artists=args.followed_artists,
            top_items=args.top_items,
        )
    )
    config = FakeConfig(
        rate_limit=args.rate_limit,
        window=args.window,
        error_rate=args.error_rate,
        token_lifetime=args.token_lifetime,
        latency=args.latency,
        seed=args.seed,
        rotate_refresh_tokens=args.rotate_refresh_tokens,
        refresh_token_expired=args.refresh_token_expired,
        daily_quota=args.daily_quota,
        omit_retry_after=args.omit_retry_after,
        credentials=Credentials(
            client_id=args.client_id,
            client_secret=args.client_secret,
            refresh_token=args.refresh_token,
        ),
    )
    fake = FakeSpotify(catalog, config, host=args.host, port=args.port)
    for number, user_id in enumerate(u.strip() for u in args.users.split(",") if u.strip()):
        fake.service.add_user(
            FakeUser(
                user_id,
                user_id.title(),
                f"fake-refresh-token-{user_id}",
                taste=7 * (number + 1),
                plays=args.user_plays,
                saved_tracks=args.user_saved_tracks,
            )
        )
    print(f"FAKE_SPOTIFY_URL={fake.url}", flush=True)
    print(f"FAKE_SPOTIFY_PLAYLISTS={','.join(catalog.own_playlist_ids)}", flush=True)
    try:
        fake.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        fake.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Every answer of the fake validates against the reference OpenAPI spec.

The spec's ``discriminator: {propertyName: type}`` entries have no mapping, so a
validator looks for schemas named ``track``/``episode``; :func:`load_spec` adds
the mapping to the schemas the oneOf lists (``TrackObject``, ``EpisodeObject``).

The spec does not mark five things nullable that the real API sends as null;
:func:`without_known_deviations` removes exactly those before validation, and
the tests check they are present (the transformer must handle them):
``item``/``track`` null entries, local files (null ids), ``context: null``, and
``next: null`` and ``cursors.after: null`` on the last page of a cursor listing
(recently played, followed artists).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from fake_spotify.server import FakeSpotify
from openapi_core import OpenAPI
from openapi_core.testing import MockRequest, MockResponse

from tests.unit.fake_spotify.conftest import user_token

# the fake's contract, vendored beside it (MIT, see spotify-web-api.LICENSE there)
SPEC = (
    Path(__file__).resolve().parents[3] / "tools/fake_spotify/reference/spotify-web-api.openapi.yml"
)


def _add_discriminator_mappings(node: Any) -> None:
    if isinstance(node, dict):
        choices = node.get("oneOf")
        found = node.get("discriminator")
        if isinstance(found, dict) and "mapping" not in found and isinstance(choices, list):
            refs = [c["$ref"] for c in choices if isinstance(c, dict) and "$ref" in c]
            found["mapping"] = {
                ref.rsplit("/", 1)[-1].removesuffix("Object").lower(): ref for ref in refs
            }
        for value in node.values():
            _add_discriminator_mappings(value)
    elif isinstance(node, list):
        for value in node:
            _add_discriminator_mappings(value)


def load_spec() -> dict[str, Any]:
    spec = yaml.safe_load(SPEC.read_text())
    _add_discriminator_mappings(spec)
    return dict(spec)


@pytest.fixture(scope="module")
def openapi() -> OpenAPI:
    return OpenAPI.from_dict(load_spec())


def without_known_deviations(body: Any) -> tuple[Any, int]:
    """The body with real-API nulls the spec does not allow removed, and how many there were."""
    if isinstance(body, dict) and isinstance(body.get("artists"), dict):  # followed artists
        page, removed = without_known_deviations(body["artists"])
        return body | {"artists": page}, removed
    if isinstance(body, dict) and isinstance(body.get("items"), dict):  # playlist + first page
        page, removed = without_known_deviations(body["items"])
        return body | {"items": page}, removed
    if not isinstance(body, dict) or not isinstance(body.get("items"), list):
        return body, 0
    kept, removed = [], 0
    if "cursors" in body and body.get("next") is None:  # last cursor page: next is null
        body = {k: v for k, v in body.items() if k != "next"}
        removed += 1
        cursors = body.get("cursors")
        if isinstance(cursors, dict) and cursors.get("after", "") is None:  # and so is after
            body = body | {"cursors": {k: v for k, v in cursors.items() if k != "after"}}
            removed += 1
    for item in body["items"]:
        if isinstance(item, dict) and (item.get("is_local") or item.get("track", {}) is None):
            removed += 1
            continue
        if isinstance(item, dict) and "context" in item and item["context"] is None:
            item = {k: v for k, v in item.items() if k != "context"}
            removed += 1
        kept.append(item)
    return body | {"items": kept}, removed


def check(openapi: OpenAPI, response: httpx.Response) -> int:
    url = response.request.url
    body, deviations = without_known_deviations(response.json())
    request = MockRequest(
        "https://api.spotify.com",
        "get",
        url.path,
        args=dict(url.params),
    )
    openapi.validate_response(
        request,
        MockResponse(json.dumps(body).encode(), status_code=response.status_code),
    )
    return deviations


def test_every_success_answer_validates_against_the_spec(
    fake: FakeSpotify, openapi: OpenAPI
) -> None:
    headers = {"Authorization": f"Bearer {user_token(fake)}"}
    catalog = fake.catalog
    urls = [f"{fake.api_url}/me", f"{fake.api_url}/me/playlists?limit=50"]
    for playlist_id in catalog.own_playlist_ids:
        urls += [
            f"{fake.api_url}/playlists/{playlist_id}",
            f"{fake.api_url}/playlists/{playlist_id}/items?limit=50&offset=0",
            f"{fake.api_url}/playlists/{playlist_id}/items?limit=50&offset=50",
            f"{fake.api_url}/playlists/{playlist_id}/tracks?limit=100&offset=0",
        ]
    urls += [
        f"{fake.api_url}/me/player/recently-played?limit=50&after=0",
        f"{fake.api_url}/me/player/recently-played?limit=10",
    ]
    urls += [f"{fake.api_url}/albums/{a}" for a in list(catalog.albums)[:6]]
    urls += [f"{fake.api_url}/artists/{a}" for a in list(catalog.artists)[:6]]
    urls += [f"{fake.api_url}/tracks/{t}" for t in list(catalog.tracks)[:3]]
    urls += [f"{fake.api_url}/{path}?limit=50&offset={o}" for path in SAVED for o in (0, 10)]
    urls += [
        f"{fake.api_url}/me/top/{kind}?time_range={r}&limit={n}&offset=0"
        for kind in ("artists", "tracks")
        for r, n in (("short_term", 50), ("medium_term", 10), ("long_term", 1))
    ]
    urls += [f"{fake.api_url}/me/top/artists", f"{fake.api_url}/me/following?type=artist&limit=5"]
    last_followed = catalog.library.followed_artists[4]
    urls += [f"{fake.api_url}/me/following?type=artist&limit=50&after={last_followed}"]
    urls += [f"{fake.api_url}/shows/{s}" for s in catalog.shows]
    urls += [f"{fake.api_url}/episodes/{e}" for e in list(catalog.episodes)[:3]]
    deviations = 0
    playlist_episodes = 0
    with httpx.Client(headers=headers) as http:
        for url in urls:
            response = http.get(url)
            assert response.status_code == 200, url
            deviations += check(openapi, response)
            if "/items?" in url:  # episodes inside playlists are full episode objects too
                items = [i.get("item") or {} for i in response.json()["items"]]
                playlist_episodes += sum(i.get("type") == "episode" for i in items)
    assert playlist_episodes > 0
    # first playlist: a null entry and a local file on each of /items and /tracks;
    # recently played: context null on every other play.
    assert deviations >= 4 + 1


SAVED = ("me/tracks", "me/albums", "me/shows", "me/episodes")


def test_error_answers_validate_against_the_spec(fake: FakeSpotify, openapi: OpenAPI) -> None:
    others = [p for p in fake.catalog.playlists if p not in fake.catalog.own_playlist_ids]
    good = {"Authorization": f"Bearer {user_token(fake)}"}
    expired = {"Authorization": "Bearer not-a-token"}
    with httpx.Client() as http:
        forbidden = http.get(f"{fake.api_url}/playlists/{others[0]}/items", headers=good)
        unauthorized = http.get(f"{fake.api_url}/me/player/recently-played", headers=expired)
        no_scope = {"Authorization": f"Bearer {user_token(fake, 'fake-refresh-token-no-scopes')}"}
        scopeless = http.get(f"{fake.api_url}/me/tracks", headers=no_scope)
    assert (forbidden.status_code, unauthorized.status_code) == (403, 401)
    assert scopeless.status_code == 403
    check(openapi, forbidden)
    check(openapi, unauthorized)
    check(openapi, scopeless)


def test_rate_limited_answer_validates_and_carries_retry_after(openapi: OpenAPI) -> None:
    from fake_spotify.catalog import CatalogSpec, build_catalog
    from fake_spotify.server import FakeConfig

    with FakeSpotify(build_catalog(CatalogSpec(1, 5, 5)), FakeConfig(rate_limit=2)) as limited:
        headers = {"Authorization": f"Bearer {user_token(limited)}"}
        answers = [httpx.get(f"{limited.api_url}/me", headers=headers) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert 1 <= int(answers[2].headers["Retry-After"]) <= 30
    check(openapi, answers[2])

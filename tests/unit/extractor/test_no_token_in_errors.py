"""Token-endpoint answers are described by field names and types, never by their values."""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
import pytest
from extractor.spotify.authflow import CodeAnswer
from extractor.spotify.errors import (
    CredentialsRejected,
    SpotifyUnavailable,
    oauth_error_code,
    shape_problems,
)
from extractor.spotify.tokens import AppCredentials, TokenKind, TokenProvider
from pydantic import ValidationError
from spotify_etl_common.errors import SpotifyEtlError

from tests.unit.extractor.conftest import ACCOUNTS

TOKEN = "AQCz8Lw" + "p2Hs7Q" * 20 + "Mn5Yv"
FRAGMENTS = (TOKEN[:8], TOKEN[-8:], "p2Hs7Qp2Hs")


def leaks(text: str) -> bool:
    return any(fragment in text for fragment in FRAGMENTS)


def test_shape_problems_name_fields_and_types_only() -> None:
    with pytest.raises(ValidationError) as raised:
        CodeAnswer.model_validate({"refresh_token": {"nested": [TOKEN]}, "scope": 3})
    assert leaks(str(raised.value))  # what pydantic itself says
    line = shape_problems(raised.value)
    assert line == "refresh_token: string_type (got dict); scope: string_type (got int)"
    with pytest.raises(ValidationError) as raised:
        CodeAnswer.model_validate_json(b"{not json " + TOKEN.encode())
    assert not leaks(shape_problems(raised.value))
    assert shape_problems(raised.value).startswith("body: json_invalid")


def test_an_oauth_error_is_repeated_only_when_it_is_a_plain_code() -> None:
    assert oauth_error_code({"error": "invalid_grant"}) == "invalid_grant"
    assert oauth_error_code({"error": {"token": TOKEN}}) == ""
    assert oauth_error_code({"error": TOKEN}) == ""
    assert oauth_error_code([TOKEN]) == ""


def provider(status: int, body: object, refresh: str | None = "r") -> TokenProvider:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, content=json.dumps(body).encode())

    async def no_sleep(_: float) -> None:
        return None

    http = httpx.AsyncClient(transport=httpx.MockTransport(answer))
    credentials = AppCredentials("id", "secret", refresh)
    return TokenProvider(http, ACCOUNTS, credentials, sleep=no_sleep)


@pytest.mark.parametrize(
    ("status", "body", "kind", "error"),
    [
        (
            200,
            {"access_token": {"v": TOKEN}, "expires_in": [TOKEN]},
            TokenKind.APP,
            SpotifyUnavailable,
        ),
        (200, {"access_token": [TOKEN], "refresh_token": 7}, TokenKind.USER, SpotifyUnavailable),
        (400, {"error": {"refresh_token": TOKEN}}, TokenKind.USER, CredentialsRejected),
        (401, {"error": f"bad {TOKEN}"}, TokenKind.APP, CredentialsRejected),
    ],
)
async def test_a_malformed_token_answer_never_quotes_the_body(
    status: int, body: object, kind: TokenKind, error: type[SpotifyEtlError]
) -> None:
    with pytest.raises(error) as raised:
        await provider(status, body).token(kind)
    assert not leaks(raised.value.reason)
    assert not leaks(str(raised.value))
    assert raised.value.__cause__ is None or not leaks(str(raised.value.__cause__))
    assert raised.value.__suppress_context__ or raised.value.__context__ is None


async def test_a_malformed_code_exchange_never_quotes_the_body(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from extractor.spotify import authflow

    for status, body, said in (
        (200, {"refresh_token": {"nested": TOKEN}}, "refresh_token: string_type (got dict)"),
        (400, {"error": {"code": TOKEN}, "error_description": TOKEN}, "answered 400;"),
    ):

        async def callback(
            port: int, ready: Callable[[str], None], *_: object
        ) -> authflow.Callback:
            ready("http://127.0.0.1:1/callback")
            return authflow.Callback("code", "state", None)

        monkeypatch.setattr(authflow, "wait_for_callback", callback)

        def answer(
            request: httpx.Request, status: int = status, body: object = body
        ) -> httpx.Response:
            return httpx.Response(status, content=json.dumps(body).encode())

        async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as http:
            with pytest.raises(CredentialsRejected) as raised:
                await authflow.authorize(
                    http, ACCOUNTS, AppCredentials("id", "secret"), ["s"], 0, lambda _: None
                )
        assert not leaks(str(raised.value))
        assert said in raised.value.reason

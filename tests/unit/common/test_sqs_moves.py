"""Which StartMessageMoveTask answers make redrive fall back to the copy loop."""

from __future__ import annotations

import pytest
from spotify_etl_common.sqs_moves import is_unsupported


@pytest.mark.parametrize(
    "code",
    [
        "UnsupportedOperation",
        "AWS.SimpleQueueService.UnsupportedOperation",
        "InvalidAction",
        "500",  # moto: NotImplementedError surfaces as a bare 500 page
        "NotImplemented",
    ],
)
def test_endpoints_without_the_api_fall_back(code: str) -> None:
    assert is_unsupported(code)


@pytest.mark.parametrize(
    "code", ["AccessDenied", "ResourceNotFoundException", "InvalidParameterValue"]
)
def test_real_refusals_are_reported_not_hidden(code: str) -> None:
    assert not is_unsupported(code)

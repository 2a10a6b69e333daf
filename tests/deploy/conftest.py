"""Fixtures of the deploy checks: the template as data."""

from __future__ import annotations

from typing import Any

import pytest

from tests.deploy.cfn_template import load_template


@pytest.fixture(scope="session")
def template() -> dict[str, Any]:
    """deploy/template.yaml as plain data (intrinsics unresolved)."""
    return load_template()

"""Where a test belongs, from what it needs: the rule the collection hook enforces.

A test that needs the moto server (the ``moto_server`` fixture, directly or through
``aws_env``/``stack``) is an integration test: it carries ``@pytest.mark.integration``
(or ``e2e``) and is filed under ``tests/integration`` (or ``e2e``/``deploy``), never
under ``tests/unit``. Everything under ``tests/integration`` carries the marker, and
everything under ``tests/e2e`` the ``e2e`` one.
"""

from __future__ import annotations

from collections.abc import Collection

MOTO_FIXTURE = "moto_server"
SERVER_MARKERS = frozenset({"integration", "e2e"})


def misplacement(folder: str, markers: Collection[str], fixtures: Collection[str]) -> str | None:
    """Why a test is misfiled or unmarked (one line, saying what to do), or None.

    ``folder`` is the first folder under ``tests/`` (``unit``, ``integration``, ...).
    """
    mark = "add pytestmark = pytest.mark.integration"
    if MOTO_FIXTURE in fixtures and folder == "unit":
        return "uses the moto server but is filed under tests/unit: move it to tests/integration"
    if MOTO_FIXTURE in fixtures and not SERVER_MARKERS & set(markers):
        return f"uses the moto server without a marker: {mark}"
    if folder == "integration" and "integration" not in markers:
        return f"is under tests/integration without a marker: {mark}"
    if folder == "e2e" and "e2e" not in markers:
        return "is under tests/e2e without a marker: add pytestmark = pytest.mark.e2e"
    return None

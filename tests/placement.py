"""Where a test belongs, from what it needs: the rule the collection hook enforces.

A test that needs the moto server (the ``moto_server`` fixture, directly or through
``aws_env``/``stack``) is an integration test: it carries ``@pytest.mark.integration``
(or ``e2e``) and is filed under ``tests/integration`` (or ``e2e``/``deploy``), never
under ``tests/unit``. Everything under ``tests/integration`` carries the marker.
"""

from __future__ import annotations

from collections.abc import Collection

MOTO_FIXTURE = "moto_server"
SERVER_MARKERS = frozenset({"integration", "e2e"})
_MARK = "pytestmark = pytest.mark.integration"


def misplacement(folder: str, markers: Collection[str], fixtures: Collection[str]) -> str | None:
    """Why a test is misfiled or unmarked (one line, saying what to do), or None.

    ``folder`` is the first folder under ``tests/`` (``unit``, ``integration``, ...).
    """
    marked = bool(SERVER_MARKERS & set(markers))
    if MOTO_FIXTURE in fixtures and folder == "unit":
        return "uses the moto server but is filed under tests/unit: move it to tests/integration"
    if MOTO_FIXTURE in fixtures and not marked:
        return "uses the moto server without a marker: add pytestmark = pytest.mark.integration"
    if folder == "integration" and "integration" not in markers:
        return (
            "is under tests/integration without a marker: add pytestmark = pytest.mark.integration"
        )
    return None

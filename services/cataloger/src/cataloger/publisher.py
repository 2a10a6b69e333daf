"""Publishes the packaged views with ``CREATE OR REPLACE VIEW`` through Athena."""

from __future__ import annotations

from collections.abc import Sequence

from spotify_etl_common.athena import AthenaQueries
from spotify_etl_common.logs import get_logger
from spotify_etl_views import View, create_view_sql

log = get_logger(__name__)


class ViewPublisher:
    """Creates or replaces every view in the given order (``load_views``: dependencies first)."""

    def __init__(self, athena: AthenaQueries, views: Sequence[View]) -> None:
        self._athena = athena
        self.views = tuple(views)

    async def publish(self) -> list[str]:
        """Publish all views; Athena's error (with the view's name) is raised on failure."""
        published = []
        for view in self.views:
            await self._athena.execute(create_view_sql(view))
            published.append(view.name)
        log.info("views.published", database=self._athena.database, views=published)
        return published

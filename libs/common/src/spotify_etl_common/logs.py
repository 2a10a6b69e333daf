"""Logging with structlog: JSON lines when not on a TTY, readable on a TTY.

The event stream goes to **stdout**, one JSON object per line and nothing
else; a line meant for a person (a run summary, why a service could not
start) goes to **stderr**, so a reader of the JSON stream never meets plain
text. Context is bound per message with ``structlog.contextvars``; each unit of
work ends with one canonical line (``message.handled``, see
:mod:`spotify_etl_common.worker`), and handlers add their fields to it
(:mod:`spotify_etl_common.worker_line`) rather than logging a second line.

Event names are lower case and dot-separated, what the event is about first,
then what happened (``worker.started``, ``message.handled``,
``glue.table_created``, ``extract.run.aborted``); words inside a part are
joined with ``_``.
"""

from __future__ import annotations

import logging
import sys
from typing import Any, TextIO

import structlog


def configure_logging(
    service: str, level: str = "INFO", *, stream: TextIO | None = None, json: bool | None = None
) -> None:
    """Configure structlog once, in a service's ``main``.

    Lines go to ``stream`` (default stdout). ``json`` defaults to "not a TTY":
    containers and CI get JSON lines that CloudWatch Logs Insights can query;
    a person at a terminal gets colours.
    """
    out = stream if stream is not None else sys.stdout
    as_json = (not out.isatty()) if json is None else json
    renderer: Any = (
        structlog.processors.JSONRenderer()
        if as_json
        else structlog.dev.ConsoleRenderer(colors=out.isatty())
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.StackInfoRenderer(),
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(
            logging.getLevelNamesMapping().get(level.upper(), logging.INFO)
        ),
        logger_factory=structlog.PrintLoggerFactory(file=out),
        cache_logger_on_first_use=False,
    )
    structlog.contextvars.clear_contextvars()
    structlog.contextvars.bind_contextvars(service=service)


def get_logger(name: str) -> structlog.typing.FilteringBoundLogger:
    """A logger whose events carry ``module=name`` and the bound context."""
    # Initial values, not .bind(): binding would freeze the configuration of
    # import time, before a service's main has called configure_logging.
    logger: structlog.typing.FilteringBoundLogger = structlog.get_logger(module=name)
    return logger

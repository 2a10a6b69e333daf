"""CloudWatch embedded metric format (EMF): metrics as log lines, no extra calls.

A JSON log line with an ``_aws`` member is turned into metrics by CloudWatch
Logs. :func:`emf_fields` builds those members purely; the caller adds them to
the one summary line it logs anyway (the extractor's run summary, the
worker's ``message.handled``). A queue handler does not call it: it records
its figures with ``current_line().metric(...)`` (:mod:`.worker_line`) and the
worker puts them on the message's line.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

NAMESPACE = "SpotifyEtl"
"""CloudWatch namespace of every metric of this project."""

Unit = Literal["Count", "Milliseconds", "Seconds", "Bytes", "None"]


def emf_fields(
    service: str,
    metrics: Mapping[str, tuple[float, Unit]],
    timestamp_ms: int,
    dimensions: Mapping[str, str] | None = None,
    namespace: str = NAMESPACE,
) -> dict[str, object]:
    """The members to merge into a JSON log line so it carries ``metrics``.

    Metrics are recorded under the dimension set ``Service`` (plus any extra
    ``dimensions``), e.g. ``{"MessagesHandled": (1, "Count")}``.
    """
    dims = {"Service": service, **(dimensions or {})}
    return {
        "_aws": {
            "Timestamp": timestamp_ms,
            "CloudWatchMetrics": [
                {
                    "Namespace": namespace,
                    "Dimensions": [sorted(dims)],
                    "Metrics": [
                        {"Name": name, "Unit": unit} for name, (_, unit) in metrics.items()
                    ],
                }
            ],
        },
        **dims,
        **{name: value for name, (value, _) in metrics.items()},
    }

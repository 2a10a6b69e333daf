"""``spotify-etl status``: queues, last extraction, per-table figures and maintenance, lag."""

"""``spotify-etl status``: queue depths, last extraction, newest partitions, lag."""

"""``spotify-etl query`` and ``spotify-etl views``: the views on Athena, or on DuckDB locally."""

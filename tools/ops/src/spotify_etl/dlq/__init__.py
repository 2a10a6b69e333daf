"""``spotify-etl dlq``: list, show and redrive dead letters."""

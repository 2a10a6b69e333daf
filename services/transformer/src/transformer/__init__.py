"""transformer service of spotify-etl."""

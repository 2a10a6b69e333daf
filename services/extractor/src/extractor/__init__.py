"""extractor service of spotify-etl."""

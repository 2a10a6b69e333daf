"""cataloger service of spotify-etl."""

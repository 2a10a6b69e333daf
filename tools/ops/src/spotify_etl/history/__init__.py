"""``spotify-etl import-history``: Spotify's data export into raw ``streaming_history`` objects."""

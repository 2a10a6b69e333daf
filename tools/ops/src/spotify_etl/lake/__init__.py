"""``spotify-etl maintain`` and ``spotify-etl migrate-tables``: the lake's Iceberg tables."""

"""``python -m spotify_etl``: the same as the ``spotify-etl`` command."""

from spotify_etl.cli import main

main()

"""The whole pipeline on the local stack: ``spotify-etl run-local`` (what ``make run`` runs)."""

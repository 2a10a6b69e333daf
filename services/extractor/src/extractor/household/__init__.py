"""Several Spotify users served by one app and one run: who they are, where each one's
grant is kept, and what the run did for each (the per-user summary)."""

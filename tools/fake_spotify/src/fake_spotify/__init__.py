"""A fake Spotify Web API for tests and local runs."""

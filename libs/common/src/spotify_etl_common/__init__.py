"""Shared library of spotify-etl."""

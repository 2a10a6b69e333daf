"""Operator CLI of spotify-etl."""

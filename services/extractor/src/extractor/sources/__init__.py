"""What a run extracts: playlists, recently played, the user's library, and the albums,
artists, episodes and shows they reference (single-id GETs)."""

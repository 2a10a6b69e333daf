-- Seed-compatible albums: one row per album, its latest version by extracted_at.
SELECT
    album_id,
    name,
    release_date,
    total_tracks,
    coalesce(url, 'https://open.spotify.com/album/' || album_id) AS url
FROM latest_albums

-- Seed-compatible artists: one row per artist, its latest version by extracted_at.
SELECT
    artist_id,
    name AS artist_name,
    coalesce(url, 'https://open.spotify.com/artist/' || artist_id) AS external_url
FROM latest_artists

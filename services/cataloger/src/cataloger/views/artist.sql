-- Seed-compatible artists: one row per artist, its latest version by extracted_at.
SELECT
    artist_id,
    name AS artist_name,
    coalesce(url, 'https://open.spotify.com/artist/' || artist_id) AS external_url
FROM (
    SELECT
        artists.*,
        row_number() OVER (
            PARTITION BY artist_id ORDER BY extracted_at DESC, source_key DESC
        ) AS version_rank
    FROM artists
) AS ranked
WHERE version_rank = 1

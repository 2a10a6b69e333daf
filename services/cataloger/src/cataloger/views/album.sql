-- Seed-compatible albums: one row per album, its latest version by extracted_at.
SELECT
    album_id,
    name,
    release_date,
    total_tracks,
    coalesce(url, 'https://open.spotify.com/album/' || album_id) AS url
FROM (
    SELECT
        albums.*,
        row_number() OVER (
            PARTITION BY album_id ORDER BY extracted_at DESC, source_key DESC
        ) AS version_rank
    FROM albums
) AS ranked
WHERE version_rank = 1

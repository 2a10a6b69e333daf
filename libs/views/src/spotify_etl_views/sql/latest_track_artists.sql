-- Base view: the credit list of each track's latest version (every column of track_artists), each credit once.
SELECT DISTINCT
    track_id,
    artist_id,
    position,
    source_key,
    extracted_at
FROM (
    SELECT
        track_artists.*,
        dense_rank() OVER (
            PARTITION BY track_id ORDER BY extracted_at DESC, source_key DESC
        ) AS version_rank
    FROM track_artists
) AS ranked
WHERE version_rank = 1

-- Base view: the latest version of each track (every column of tracks), by extracted_at then source_key.
SELECT
    track_id,
    name,
    duration_ms,
    explicit,
    popularity,
    isrc,
    album_id,
    url,
    uri,
    source_key,
    extracted_at
FROM (
    SELECT
        tracks.*,
        row_number() OVER (
            PARTITION BY track_id ORDER BY extracted_at DESC, source_key DESC
        ) AS version_rank
    FROM tracks
) AS ranked
WHERE version_rank = 1

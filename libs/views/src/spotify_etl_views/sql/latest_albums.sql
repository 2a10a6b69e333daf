-- Base view: the latest version of each album (every column of albums), by extracted_at then source_key.
SELECT
    album_id,
    name,
    album_type,
    release_date,
    release_date_precision,
    release_year,
    total_tracks,
    url,
    uri,
    source_key,
    extracted_at
FROM (
    SELECT
        albums.*,
        row_number() OVER (
            PARTITION BY album_id ORDER BY extracted_at DESC, source_key DESC
        ) AS version_rank
    FROM albums
) AS ranked
WHERE version_rank = 1

-- Base view: the latest version of each artist (every column of artists), by extracted_at then source_key.
SELECT
    artist_id,
    name,
    url,
    uri,
    source_key,
    extracted_at
FROM (
    SELECT
        artists.*,
        row_number() OVER (
            PARTITION BY artist_id ORDER BY extracted_at DESC, source_key DESC
        ) AS version_rank
    FROM artists
) AS ranked
WHERE version_rank = 1

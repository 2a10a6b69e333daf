-- Artists of each local year ranked by the plays that count (then minutes, then name), with their minutes where known.
-- Counting rule: see report_plays. Artists by name (the export's album artist, else the
-- catalog's first artist), case-insensitive; tracks only, no podcasts.
WITH counted AS (
    SELECT
        year(local_at) AS year,
        artist_key,
        min(artist_name) AS artist_name,
        count(*) AS plays,
        CAST(sum(ms_played) AS double) / 60000 AS minutes
    FROM report_plays
    WHERE counts AND item_type = 'track' AND artist_key IS NOT NULL
    GROUP BY year(local_at), artist_key
)

SELECT
    year,
    row_number() OVER (
        PARTITION BY year ORDER BY plays DESC, coalesce(minutes, 0) DESC, artist_key
    ) AS rank,
    artist_name,
    plays,
    minutes
FROM counted

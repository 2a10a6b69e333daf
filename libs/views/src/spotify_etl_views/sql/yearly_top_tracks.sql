-- Tracks of each local year ranked by the plays that count (then minutes, then name), with their artist and minutes where known.
-- Counting rule: see report_plays. A track is its Spotify id, else its names (export rows
-- without a URI).
WITH counted AS (
    SELECT
        year(local_at) AS year,
        track_key,
        min(track_name) AS track_name,
        min(artist_name) AS artist_name,
        count(*) AS plays,
        CAST(sum(ms_played) AS double) / 60000 AS minutes
    FROM report_plays
    WHERE counts AND item_type = 'track' AND track_key IS NOT NULL
    GROUP BY year(local_at), track_key
)

SELECT
    year,
    row_number() OVER (
        PARTITION BY year ORDER BY plays DESC, coalesce(minutes, 0) DESC, track_key
    ) AS rank,
    track_name,
    artist_name,
    plays,
    minutes
FROM counted

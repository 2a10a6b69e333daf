-- Discoveries: artists played for the first time per local month (their first play that counts), the running total, and the newcomer played most since.
-- Counting rule: see report_plays. Artists by name, case-insensitive; tracks only.
WITH artists AS (
    SELECT
        artist_key,
        min(artist_name) AS artist_name,
        CAST(date_trunc('month', min(local_at)) AS date) AS month,
        count(*) AS plays
    FROM report_plays
    WHERE counts AND item_type = 'track' AND artist_key IS NOT NULL
    GROUP BY artist_key
),

ranked AS (
    SELECT
        artists.*,
        row_number() OVER (PARTITION BY month ORDER BY plays DESC, artist_key) AS newcomer_rank
    FROM artists
),

monthly AS (
    SELECT
        month,
        count(*) AS new_artists,
        max(CASE WHEN newcomer_rank = 1 THEN artist_name END) AS top_newcomer,
        max(CASE WHEN newcomer_rank = 1 THEN plays END) AS top_newcomer_plays
    FROM ranked
    GROUP BY month
)

SELECT
    month,
    new_artists,
    sum(new_artists) OVER (ORDER BY month ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
        AS artists_so_far,
    top_newcomer,
    top_newcomer_plays
FROM monthly

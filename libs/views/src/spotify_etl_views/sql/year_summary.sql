-- A card per local year: the plays that count, their minutes (where known), plays without minutes, distinct artists and tracks, the most-played day and the longest run of consecutive days with a play (within the year).
-- Counting rule: see report_plays. Ties: the earliest day, the earliest streak.
WITH counted AS (
    SELECT * FROM report_plays WHERE counts
),

yearly AS (
    SELECT
        year(local_at) AS year,
        count(*) AS plays,
        CAST(sum(ms_played) AS double) / 60000 AS minutes,
        count_if(NOT minutes_known) AS plays_without_minutes,
        count(DISTINCT CASE WHEN item_type = 'track' THEN artist_key END) AS distinct_artists,
        count(DISTINCT CASE WHEN item_type = 'track' THEN track_key END) AS distinct_tracks
    FROM counted
    GROUP BY year(local_at)
),

days AS (
    SELECT CAST(local_at AS date) AS day, count(*) AS plays
    FROM counted
    GROUP BY CAST(local_at AS date)
),

top_days AS (
    SELECT year, day, plays
    FROM (
        SELECT
            year(day) AS year,
            day,
            plays,
            row_number() OVER (PARTITION BY year(day) ORDER BY plays DESC, day) AS day_rank
        FROM days
    ) AS ranked
    WHERE day_rank = 1
),

islands AS (
    SELECT
        year(day) AS year,
        day,
        date_diff('day', DATE '1970-01-01', day)
        - row_number() OVER (PARTITION BY year(day) ORDER BY day) AS island
    FROM days
),

streaks AS (
    SELECT
        year,
        min(day) AS first_day,
        max(day) AS last_day,
        count(*) AS days,
        row_number() OVER (PARTITION BY year ORDER BY count(*) DESC, min(day)) AS streak_rank
    FROM islands
    GROUP BY year, island
)

SELECT
    y.year,
    y.plays,
    y.minutes,
    y.plays_without_minutes,
    y.distinct_artists,
    y.distinct_tracks,
    d.day AS most_played_day,
    d.plays AS most_played_day_plays,
    s.days AS longest_streak_days,
    s.first_day AS streak_start,
    s.last_day AS streak_end
FROM yearly AS y
LEFT JOIN top_days AS d ON d.year = y.year
LEFT JOIN streaks AS s ON s.year = y.year AND s.streak_rank = 1

-- When you listen: the plays that count and their minutes (where known) per local weekday (1 = Monday) and hour of day (0-23).
-- Counting rule: see report_plays.
SELECT
    day_of_week(local_at) AS weekday,
    hour(local_at) AS hour,
    count(*) AS plays,
    CAST(sum(ms_played) AS double) / 60000 AS minutes
FROM report_plays
WHERE counts
GROUP BY day_of_week(local_at), hour(local_at)

-- Listening per local month (its first day) and origin (export, recently_played): the plays that count, their minutes where known, and how many of them have no minutes (recently played).
-- Counting rule: see report_plays. minutes is null where no play of the month and origin has
-- ms_played.
SELECT
    CAST(date_trunc('month', local_at) AS date) AS month,
    origin,
    count(*) AS plays,
    CAST(sum(ms_played) AS double) / 60000 AS minutes,
    count_if(NOT minutes_known) AS plays_without_minutes
FROM report_plays
WHERE counts
GROUP BY CAST(date_trunc('month', local_at) AS date), origin

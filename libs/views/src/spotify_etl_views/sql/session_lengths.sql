-- How long listening sessions last (see listening_sessions): sessions per length band, shortest band first (band_order).
SELECT
    CASE
        WHEN length_minutes < 15 THEN 1
        WHEN length_minutes < 30 THEN 2
        WHEN length_minutes < 60 THEN 3
        WHEN length_minutes < 120 THEN 4
        WHEN length_minutes < 240 THEN 5
        ELSE 6
    END AS band_order,
    CASE
        WHEN length_minutes < 15 THEN 'under 15 min'
        WHEN length_minutes < 30 THEN '15-30 min'
        WHEN length_minutes < 60 THEN '30-60 min'
        WHEN length_minutes < 120 THEN '1-2 h'
        WHEN length_minutes < 240 THEN '2-4 h'
        ELSE '4 h or more'
    END AS band,
    count(*) AS sessions,
    sum(plays) AS plays
FROM listening_sessions
GROUP BY 1, 2

-- Plays and minutes played (where known) per user and UTC hour of day (0-23), each play counted once.
SELECT
    user_id,
    hour(played_at) AS hour_of_day,
    count(*) AS plays,
    count(DISTINCT track_id) AS distinct_tracks,
    sum(ms_played) / 60000.0 AS minutes
FROM distinct_plays
GROUP BY user_id, hour(played_at)

-- Plays per UTC hour of day (0-23), each play counted once across overlapping fetches.
SELECT
    hour(played_at) AS hour_of_day,
    count(*) AS plays,
    count(DISTINCT track_id) AS distinct_tracks
FROM distinct_plays
GROUP BY hour(played_at)

-- Base view: each play once (played_at, track_id), however many overlapping recently-played fetches returned it.
SELECT DISTINCT played_at, track_id
FROM plays

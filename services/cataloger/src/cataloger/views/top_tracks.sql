-- Tracks by appearances across the current playlist snapshots and by plays (each play counted once).
WITH appearances AS (
    SELECT
        track_id,
        count(*) AS playlist_appearances,
        count(DISTINCT playlist_id) AS playlists
    FROM current_playlist_items
    WHERE track_id IS NOT NULL AND item_type = 'track'
    GROUP BY track_id
),

play_counts AS (
    SELECT track_id, count(*) AS plays
    FROM distinct_plays
    WHERE track_id IS NOT NULL
    GROUP BY track_id
),

counted AS (
    SELECT
        coalesce(a.track_id, p.track_id) AS track_id,
        coalesce(a.playlist_appearances, 0) AS playlist_appearances,
        coalesce(a.playlists, 0) AS playlists,
        coalesce(p.plays, 0) AS plays
    FROM appearances AS a
    FULL OUTER JOIN play_counts AS p ON p.track_id = a.track_id
)

SELECT
    c.track_id,
    n.name AS track_name,
    c.playlist_appearances,
    c.playlists,
    c.plays,
    rank() OVER (ORDER BY c.playlist_appearances DESC) AS appearance_rank,
    rank() OVER (ORDER BY c.plays DESC) AS play_rank
FROM counted AS c
LEFT JOIN latest_tracks AS n ON n.track_id = c.track_id

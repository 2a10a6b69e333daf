-- Each user's tracks by appearances across their current playlist snapshots, by plays (each play counted once) and by minutes played where known.
WITH counted AS (
    SELECT
        user_id,
        track_id,
        count(*) FILTER (WHERE activity = 'appearance') AS playlist_appearances,
        count(DISTINCT playlist_id) AS playlists,
        count(*) FILTER (WHERE activity = 'play') AS plays,
        sum(ms_played) / 60000.0 AS minutes_played,
        max(track_name) AS export_name
    FROM track_activity
    GROUP BY user_id, track_id
)

SELECT
    c.user_id,
    c.track_id,
    coalesce(n.name, c.export_name) AS track_name,
    c.playlist_appearances,
    c.playlists,
    c.plays,
    rank() OVER (PARTITION BY c.user_id ORDER BY c.playlist_appearances DESC) AS appearance_rank,
    rank() OVER (PARTITION BY c.user_id ORDER BY c.plays DESC) AS play_rank,
    c.minutes_played
FROM counted AS c
LEFT JOIN latest_tracks AS n ON n.track_id = c.track_id

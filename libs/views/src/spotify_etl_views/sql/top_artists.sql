-- Each user's artists (every credited artist) by appearances across their current playlist snapshots, by plays and by minutes played where known.
WITH credits AS (
    SELECT DISTINCT track_id, artist_id
    FROM latest_track_artists
),

counted AS (
    SELECT
        t.user_id,
        cr.artist_id,
        count(*) FILTER (WHERE t.activity = 'appearance') AS playlist_appearances,
        count(DISTINCT t.playlist_id) AS playlists,
        count(*) FILTER (WHERE t.activity = 'play') AS plays,
        sum(t.ms_played) / 60000.0 AS minutes_played
    FROM track_activity AS t
    INNER JOIN credits AS cr ON cr.track_id = t.track_id
    GROUP BY t.user_id, cr.artist_id
)

SELECT
    c.user_id,
    c.artist_id,
    n.name AS artist_name,
    c.playlist_appearances,
    c.playlists,
    c.plays,
    rank() OVER (PARTITION BY c.user_id ORDER BY c.playlist_appearances DESC) AS appearance_rank,
    rank() OVER (PARTITION BY c.user_id ORDER BY c.plays DESC) AS play_rank,
    c.minutes_played
FROM counted AS c
LEFT JOIN latest_artists AS n ON n.artist_id = c.artist_id

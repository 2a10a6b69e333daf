-- Artists (every credited artist) by appearances across the current playlist snapshots and by plays.
WITH credits AS (
    SELECT DISTINCT track_id, artist_id
    FROM latest_track_artists
),

appearances AS (
    SELECT
        cr.artist_id,
        count(*) AS playlist_appearances,
        count(DISTINCT i.playlist_id) AS playlists
    FROM current_playlist_items AS i
    INNER JOIN credits AS cr ON cr.track_id = i.track_id
    WHERE i.item_type = 'track'
    GROUP BY cr.artist_id
),

play_counts AS (
    SELECT cr.artist_id, count(*) AS plays
    FROM distinct_plays AS p
    INNER JOIN credits AS cr ON cr.track_id = p.track_id
    GROUP BY cr.artist_id
),

counted AS (
    SELECT
        coalesce(a.artist_id, p.artist_id) AS artist_id,
        coalesce(a.playlist_appearances, 0) AS playlist_appearances,
        coalesce(a.playlists, 0) AS playlists,
        coalesce(p.plays, 0) AS plays
    FROM appearances AS a
    FULL OUTER JOIN play_counts AS p ON p.artist_id = a.artist_id
)

SELECT
    c.artist_id,
    n.name AS artist_name,
    c.playlist_appearances,
    c.playlists,
    c.plays,
    rank() OVER (ORDER BY c.playlist_appearances DESC) AS appearance_rank,
    rank() OVER (ORDER BY c.plays DESC) AS play_rank
FROM counted AS c
LEFT JOIN latest_artists AS n ON n.artist_id = c.artist_id

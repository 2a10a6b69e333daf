-- Listening per user and UTC day: minutes played (where known), plays, distinct tracks and artists, each play counted once.
SELECT
    user_id,
    CAST(played_at AS date) AS day,
    sum(ms_played) / 60000.0 AS minutes,
    count(*) AS plays,
    count(DISTINCT CASE WHEN item_type = 'track' THEN track_key END) AS distinct_tracks,
    count(DISTINCT lower(artist_name)) AS distinct_artists
FROM play_items
GROUP BY user_id, CAST(played_at AS date)

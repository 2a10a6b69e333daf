-- Each user's tracks over their whole history by minutes played (export and recently played, each play once), with plays and rank.
WITH counted AS (
    SELECT
        user_id,
        track_key,
        max(track_id) AS track_id,
        max(track_name) AS track_name,
        max(artist_name) AS artist_name,
        coalesce(sum(ms_played), 0) / 60000.0 AS minutes,
        count(*) AS plays
    FROM play_items
    WHERE item_type = 'track'
    GROUP BY user_id, track_key
)

SELECT
    user_id,
    track_key,
    track_id,
    track_name,
    artist_name,
    minutes,
    plays,
    rank() OVER (PARTITION BY user_id ORDER BY minutes DESC) AS minutes_rank
FROM counted

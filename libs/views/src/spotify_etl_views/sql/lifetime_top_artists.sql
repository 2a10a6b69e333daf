-- Each user's artists (by name, the export's album artist or the catalog's first artist) over the whole history by minutes played, with plays, tracks and rank.
WITH counted AS (
    SELECT
        user_id,
        lower(artist_name) AS artist_key,
        max(artist_name) AS artist_name,
        coalesce(sum(ms_played), 0) / 60000.0 AS minutes,
        count(*) AS plays,
        count(DISTINCT track_key) AS distinct_tracks
    FROM play_items
    WHERE item_type = 'track' AND artist_name IS NOT NULL
    GROUP BY user_id, lower(artist_name)
)

SELECT
    user_id,
    artist_name,
    minutes,
    plays,
    distinct_tracks,
    rank() OVER (PARTITION BY user_id ORDER BY minutes DESC) AS minutes_rank
FROM counted

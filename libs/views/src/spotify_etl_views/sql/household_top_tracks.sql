-- The household's tracks by plays (each play once): one row per user and track they played, with the user's plays, share of their own plays and rank beside the household's plays, share, rank and listeners.
WITH per_user AS (
    SELECT
        user_id,
        track_key,
        max(track_id) AS track_id,
        max(track_name) AS track_name,
        max(artist_name) AS artist_name,
        count(*) AS plays,
        coalesce(sum(ms_played), 0) / 60000.0 AS minutes
    FROM play_items
    WHERE item_type = 'track'
    GROUP BY user_id, track_key
),

user_totals AS (
    SELECT user_id, sum(plays) AS plays
    FROM per_user
    GROUP BY user_id
),

household AS (
    SELECT
        track_key,
        sum(plays) AS plays,
        count(*) AS listeners,
        rank() OVER (ORDER BY sum(plays) DESC) AS household_rank
    FROM per_user
    GROUP BY track_key
),

household_total AS (
    SELECT sum(plays) AS plays FROM per_user
)

SELECT
    p.user_id,
    p.track_key,
    p.track_id,
    p.track_name,
    p.artist_name,
    p.plays,
    p.minutes,
    CAST(p.plays AS double) / u.plays AS share,
    rank() OVER (PARTITION BY p.user_id ORDER BY p.plays DESC) AS user_rank,
    h.plays AS household_plays,
    CAST(h.plays AS double) / t.plays AS household_share,
    h.household_rank,
    h.listeners
FROM per_user AS p
INNER JOIN user_totals AS u ON u.user_id IS NOT DISTINCT FROM p.user_id
INNER JOIN household AS h ON h.track_key = p.track_key
CROSS JOIN household_total AS t

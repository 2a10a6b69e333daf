-- The household's artists (by name, as lifetime_top_artists) by plays: one row per user and artist they played, with the user's plays, share of their own plays and rank beside the household's plays, share, rank and listeners.
WITH per_user AS (
    SELECT
        user_id,
        lower(artist_name) AS artist_key,
        max(artist_name) AS artist_name,
        count(*) AS plays,
        coalesce(sum(ms_played), 0) / 60000.0 AS minutes
    FROM play_items
    WHERE item_type = 'track' AND artist_name IS NOT NULL
    GROUP BY user_id, lower(artist_name)
),

user_totals AS (
    SELECT user_id, sum(plays) AS plays
    FROM per_user
    GROUP BY user_id
),

household AS (
    SELECT
        artist_key,
        sum(plays) AS plays,
        count(*) AS listeners,
        rank() OVER (ORDER BY sum(plays) DESC) AS household_rank
    FROM per_user
    GROUP BY artist_key
),

household_total AS (
    SELECT sum(plays) AS plays FROM per_user
)

SELECT
    p.user_id,
    p.artist_key,
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
INNER JOIN household AS h ON h.artist_key = p.artist_key
CROSS JOIN household_total AS t

-- Artists and tracks at least two users of the household play, over all time and the last 90 days (time_window): ranked by the smallest share of their own plays among those users, then the mean share.
-- A user's share of an item: their plays of it (each play once, play_items) over all their plays
-- in the window. Tracks by track_key (the track id, else the export's names), artists by name
-- (the export's album artist, else the catalog's first artist), as lifetime_top_*.
WITH items AS (
    SELECT user_id, played_at, 'track' AS item_type, track_key AS item_key, track_name AS name
    FROM play_items
    WHERE item_type = 'track'
    UNION ALL
    SELECT user_id, played_at, 'artist', lower(artist_name), artist_name
    FROM play_items
    WHERE item_type = 'track' AND artist_name IS NOT NULL
),

windowed AS (
    SELECT 'all_time' AS time_window, i.* FROM items AS i
    UNION ALL
    SELECT 'last_90_days' AS time_window, i.* FROM items AS i
    WHERE i.played_at >= current_timestamp - INTERVAL '90' DAY
),

per_user AS (
    SELECT time_window, item_type, user_id, item_key, max(name) AS name, count(*) AS plays
    FROM windowed
    GROUP BY time_window, item_type, user_id, item_key
),

totals AS (
    SELECT time_window, item_type, user_id, sum(plays) AS plays
    FROM per_user
    GROUP BY time_window, item_type, user_id
),

shared AS (
    SELECT
        p.time_window,
        p.item_type,
        p.item_key,
        max(p.name) AS name,
        count(*) AS users,
        sum(p.plays) AS plays,
        min(CAST(p.plays AS double) / t.plays) AS min_share,
        avg(CAST(p.plays AS double) / t.plays) AS mean_share
    FROM per_user AS p
    INNER JOIN totals AS t
        ON
            t.time_window = p.time_window
            AND t.item_type = p.item_type
            AND t.user_id IS NOT DISTINCT FROM p.user_id
    GROUP BY p.time_window, p.item_type, p.item_key
    HAVING count(*) >= 2
)

SELECT
    time_window,
    item_type,
    item_key,
    name,
    users,
    plays,
    min_share,
    mean_share,
    rank() OVER (
        PARTITION BY time_window, item_type ORDER BY min_share DESC, mean_share DESC
    ) AS affinity_rank
FROM shared

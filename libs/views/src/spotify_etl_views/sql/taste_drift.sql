-- How each user's top artists of each time range changed between consecutive complete snapshots: entered, left, or moved (rank_delta > 0 climbed), with names.
WITH artists AS (
    SELECT user_id, time_range, snapshot, taken_at, item_id, min(rank) AS rank
    FROM top_item_snapshots
    WHERE item_type = 'artist' AND complete
    GROUP BY user_id, time_range, snapshot, taken_at, item_id
),

snapshots AS (
    SELECT DISTINCT user_id, time_range, snapshot, taken_at FROM artists
),

ordered AS (
    SELECT
        user_id,
        time_range,
        snapshot,
        taken_at,
        lag(snapshot) OVER (
            PARTITION BY user_id, time_range ORDER BY taken_at, snapshot
        ) AS previous_snapshot,
        lag(taken_at) OVER (
            PARTITION BY user_id, time_range ORDER BY taken_at, snapshot
        ) AS previous_taken_at
    FROM snapshots
),

entered_or_moved AS (
    SELECT
        o.user_id,
        o.time_range,
        o.taken_at,
        o.previous_taken_at,
        cur.item_id AS artist_id,
        CASE WHEN prev.item_id IS NULL THEN 'entered' ELSE 'moved' END AS change,
        cur.rank,
        prev.rank AS previous_rank,
        prev.rank - cur.rank AS rank_delta
    FROM ordered AS o
    INNER JOIN artists AS cur
        ON
            cur.user_id IS NOT DISTINCT FROM o.user_id
            AND cur.time_range = o.time_range
            AND cur.snapshot = o.snapshot
    LEFT JOIN artists AS prev
        ON
            prev.user_id IS NOT DISTINCT FROM o.user_id
            AND prev.time_range = o.time_range
            AND prev.snapshot = o.previous_snapshot
            AND prev.item_id = cur.item_id
    WHERE o.previous_snapshot IS NOT NULL AND (prev.item_id IS NULL OR prev.rank <> cur.rank)
),

departed AS (
    SELECT
        o.user_id,
        o.time_range,
        o.taken_at,
        o.previous_taken_at,
        prev.item_id AS artist_id,
        'left' AS change,
        CAST(NULL AS integer) AS rank,
        prev.rank AS previous_rank,
        CAST(NULL AS integer) AS rank_delta
    FROM ordered AS o
    INNER JOIN artists AS prev
        ON
            prev.user_id IS NOT DISTINCT FROM o.user_id
            AND prev.time_range = o.time_range
            AND prev.snapshot = o.previous_snapshot
    LEFT JOIN artists AS cur
        ON
            cur.user_id IS NOT DISTINCT FROM o.user_id
            AND cur.time_range = o.time_range
            AND cur.snapshot = o.snapshot
            AND cur.item_id = prev.item_id
    WHERE cur.item_id IS NULL
),

changes AS (
    SELECT * FROM entered_or_moved
    UNION ALL
    SELECT * FROM departed
)

SELECT
    c.user_id,
    c.time_range,
    c.taken_at,
    c.previous_taken_at,
    c.artist_id,
    a.name AS artist_name,
    c.change,
    c.rank,
    c.previous_rank,
    c.rank_delta
FROM changes AS c
LEFT JOIN latest_artists AS a ON a.artist_id = c.artist_id

-- Taste drift: every item of each complete snapshot of your top artists and tracks (per time range), its rank before, and whether it entered, stayed or left (a left row has no rank: it is the item's last rank, one snapshot late).
-- snapshot_number counts the complete snapshots of one item type and time range, 1 first;
-- change is first (the first snapshot), entered, stayed or left.
WITH items AS (
    SELECT item_type, time_range, snapshot, taken_at, item_id, min(rank) AS rank
    FROM top_item_snapshots
    WHERE complete
    GROUP BY item_type, time_range, snapshot, taken_at, item_id
),

snapshots AS (
    SELECT DISTINCT item_type, time_range, snapshot, taken_at FROM items
),

ordered AS (
    SELECT
        snapshots.*,
        lag(snapshot) OVER (
            PARTITION BY item_type, time_range ORDER BY taken_at, snapshot
        ) AS previous_snapshot,
        row_number() OVER (
            PARTITION BY item_type, time_range ORDER BY taken_at, snapshot
        ) AS snapshot_number
    FROM snapshots
),

present AS (
    SELECT
        o.item_type,
        o.time_range,
        o.snapshot_number,
        o.taken_at,
        cur.item_id,
        cur.rank,
        prev.rank AS previous_rank,
        CASE
            WHEN o.previous_snapshot IS NULL THEN 'first'
            WHEN prev.item_id IS NULL THEN 'entered'
            ELSE 'stayed'
        END AS change
    FROM ordered AS o
    INNER JOIN items AS cur
        ON
            cur.item_type = o.item_type
            AND cur.time_range = o.time_range
            AND cur.snapshot = o.snapshot
    LEFT JOIN items AS prev
        ON
            prev.item_type = o.item_type
            AND prev.time_range = o.time_range
            AND prev.snapshot = o.previous_snapshot
            AND prev.item_id = cur.item_id
),

departed AS (
    SELECT
        o.item_type,
        o.time_range,
        o.snapshot_number,
        o.taken_at,
        prev.item_id,
        CAST(NULL AS integer) AS rank,
        prev.rank AS previous_rank,
        'left' AS change
    FROM ordered AS o
    INNER JOIN items AS prev
        ON
            prev.item_type = o.item_type
            AND prev.time_range = o.time_range
            AND prev.snapshot = o.previous_snapshot
    LEFT JOIN items AS cur
        ON
            cur.item_type = o.item_type
            AND cur.time_range = o.time_range
            AND cur.snapshot = o.snapshot
            AND cur.item_id = prev.item_id
    WHERE cur.item_id IS NULL
),

changes AS (
    SELECT * FROM present
    UNION ALL
    SELECT * FROM departed
)

SELECT
    c.item_type,
    c.time_range,
    c.snapshot_number,
    c.taken_at,
    c.item_id,
    coalesce(a.name, t.name) AS name,
    c.rank,
    c.previous_rank,
    c.change
FROM changes AS c
LEFT JOIN latest_artists AS a ON c.item_type = 'artist' AND a.artist_id = c.item_id
LEFT JOIN latest_tracks AS t ON c.item_type = 'track' AND t.track_id = c.item_id

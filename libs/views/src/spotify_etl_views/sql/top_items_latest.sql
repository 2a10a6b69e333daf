-- The newest complete snapshot of each user's top artists and top tracks per time range (the newest one when none is complete), rank 1 first, with names.
WITH latest AS (
    SELECT user_id, item_type, time_range, snapshot
    FROM (
        SELECT
            user_id,
            item_type,
            time_range,
            snapshot,
            row_number() OVER (
                PARTITION BY user_id, item_type, time_range
                ORDER BY CASE WHEN complete THEN 0 ELSE 1 END, taken_at DESC, snapshot DESC
            ) AS snapshot_rank
        FROM (
            SELECT DISTINCT user_id, item_type, time_range, snapshot, taken_at, complete
            FROM top_item_snapshots
        ) AS s
    ) AS ranked
    WHERE snapshot_rank = 1
)

SELECT
    i.user_id,
    i.item_type,
    i.time_range,
    i.rank,
    i.item_id,
    coalesce(a.name, t.name) AS name,
    i.taken_at
FROM top_item_snapshots AS i
INNER JOIN latest AS l
    ON
        l.user_id IS NOT DISTINCT FROM i.user_id
        AND l.item_type = i.item_type
        AND l.time_range = i.time_range
        AND l.snapshot = i.snapshot
LEFT JOIN latest_artists AS a ON i.item_type = 'artist' AND a.artist_id = i.item_id
LEFT JOIN latest_tracks AS t ON i.item_type = 'track' AND t.track_id = i.item_id

-- Base view: every top artist and track of every snapshot of each user (one per run: the run= segment of the raw key, else the object itself), with when it was taken and whether it is complete.
-- complete: the snapshot holds as many ranks as the ranking's total (every page of it was
-- fetched); a run stopped half-way leaves an incomplete one, which the other views pass over.
WITH items AS (
    SELECT
        top_items.*,
        coalesce(nullif(regexp_extract(source_key, '/run=([^/]+)/', 1), ''), source_key) AS snapshot
    FROM top_items
),

snapshots AS (
    SELECT
        user_id,
        item_type,
        time_range,
        snapshot,
        min(extracted_at) AS taken_at,
        count(DISTINCT rank) >= coalesce(min(total), 0) AS complete
    FROM items
    GROUP BY user_id, item_type, time_range, snapshot
)

SELECT DISTINCT i.user_id, i.item_type, i.time_range, i.snapshot, s.taken_at, s.complete, i.rank, i.item_id
FROM items AS i
INNER JOIN snapshots AS s
    ON
        s.user_id IS NOT DISTINCT FROM i.user_id
        AND s.item_type = i.item_type
        AND s.time_range = i.time_range
        AND s.snapshot = i.snapshot

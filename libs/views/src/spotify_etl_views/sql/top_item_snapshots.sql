-- Base view: every top artist and track of every snapshot (the run= segment of the raw key; an object without one is a snapshot by itself), with when the snapshot was taken.
WITH items AS (
    SELECT
        top_items.*,
        coalesce(nullif(regexp_extract(source_key, '/run=([^/]+)/', 1), ''), source_key) AS snapshot
    FROM top_items
),

snapshots AS (
    SELECT item_type, time_range, snapshot, min(extracted_at) AS taken_at
    FROM items
    GROUP BY item_type, time_range, snapshot
)

SELECT DISTINCT i.item_type, i.time_range, i.snapshot, s.taken_at, i.rank, i.item_id
FROM items AS i
INNER JOIN snapshots AS s
    ON s.item_type = i.item_type AND s.time_range = i.time_range AND s.snapshot = i.snapshot

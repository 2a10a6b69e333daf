-- The artists each user follows now: the newest complete snapshot of /me/following (as many artists as its total; the newest one when none is), with names.
WITH rows_seen AS (
    SELECT
        user_id,
        artist_id,
        total,
        extracted_at,
        coalesce(nullif(regexp_extract(source_key, '/run=([^/]+)/', 1), ''), source_key) AS snapshot
    FROM followed_artists
),

snapshots AS (
    SELECT
        user_id,
        snapshot,
        min(extracted_at) AS taken_at,
        count(DISTINCT artist_id) AS artists,
        min(total) AS total
    FROM rows_seen
    GROUP BY user_id, snapshot
),

chosen AS (
    SELECT user_id, snapshot, taken_at
    FROM (
        SELECT
            user_id,
            snapshot,
            taken_at,
            row_number() OVER (
                PARTITION BY user_id
                ORDER BY CASE WHEN artists >= total THEN 0 ELSE 1 END, taken_at DESC, snapshot DESC
            ) AS snapshot_rank
        FROM snapshots
    ) AS ranked
    WHERE snapshot_rank = 1
)

SELECT DISTINCT r.user_id, r.artist_id, a.name, c.taken_at AS seen_at
FROM rows_seen AS r
INNER JOIN chosen AS c ON c.user_id IS NOT DISTINCT FROM r.user_id AND c.snapshot = r.snapshot
LEFT JOIN latest_artists AS a ON a.artist_id = r.artist_id

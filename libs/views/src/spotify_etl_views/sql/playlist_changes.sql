-- Items added to or removed from each user's playlists between consecutive complete snapshots (one cut half-way is not compared).
WITH seen AS (
    SELECT user_id, playlist_id, snapshot_id, extracted_at FROM playlists
    UNION ALL
    SELECT user_id, playlist_id, snapshot_id, extracted_at FROM playlist_items
),

snapshots AS (
    SELECT s.user_id, s.playlist_id, s.snapshot_id, min(s.extracted_at) AS first_seen
    FROM seen AS s
    INNER JOIN complete_playlist_snapshots AS c
        ON
            c.user_id IS NOT DISTINCT FROM s.user_id
            AND c.playlist_id = s.playlist_id
            AND c.snapshot_id = s.snapshot_id
    GROUP BY s.user_id, s.playlist_id, s.snapshot_id
),

ordered AS (
    SELECT
        user_id,
        playlist_id,
        snapshot_id,
        first_seen,
        lag(snapshot_id) OVER (
            PARTITION BY user_id, playlist_id ORDER BY first_seen, snapshot_id
        ) AS previous_snapshot_id
    FROM snapshots
),

contents AS (
    SELECT DISTINCT user_id, playlist_id, snapshot_id, track_uri, track_id
    FROM playlist_items
    WHERE track_uri IS NOT NULL
),

added AS (
    SELECT
        o.user_id,
        o.playlist_id,
        o.snapshot_id,
        o.previous_snapshot_id,
        o.first_seen AS changed_at,
        'added' AS change,
        cur.track_uri,
        cur.track_id
    FROM ordered AS o
    INNER JOIN contents AS cur
        ON
            cur.user_id IS NOT DISTINCT FROM o.user_id
            AND cur.playlist_id = o.playlist_id
            AND cur.snapshot_id = o.snapshot_id
    LEFT JOIN contents AS prev
        ON
            prev.user_id IS NOT DISTINCT FROM o.user_id
            AND prev.playlist_id = o.playlist_id
            AND prev.snapshot_id = o.previous_snapshot_id
            AND prev.track_uri = cur.track_uri
    WHERE o.previous_snapshot_id IS NOT NULL AND prev.track_uri IS NULL
),

removed AS (
    SELECT
        o.user_id,
        o.playlist_id,
        o.snapshot_id,
        o.previous_snapshot_id,
        o.first_seen AS changed_at,
        'removed' AS change,
        prev.track_uri,
        prev.track_id
    FROM ordered AS o
    INNER JOIN contents AS prev
        ON
            prev.user_id IS NOT DISTINCT FROM o.user_id
            AND prev.playlist_id = o.playlist_id
            AND prev.snapshot_id = o.previous_snapshot_id
    LEFT JOIN contents AS cur
        ON
            cur.user_id IS NOT DISTINCT FROM o.user_id
            AND cur.playlist_id = o.playlist_id
            AND cur.snapshot_id = o.snapshot_id
            AND cur.track_uri = prev.track_uri
    WHERE cur.track_uri IS NULL
)

SELECT * FROM added
UNION ALL
SELECT * FROM removed

-- Tracks by appearances across the current playlist snapshots and by plays (each play counted once).
WITH snapshots AS (
    SELECT playlist_id, snapshot_id, max(extracted_at) AS seen_at
    FROM playlist_items
    GROUP BY playlist_id, snapshot_id
),

current_snapshots AS (
    SELECT playlist_id, snapshot_id
    FROM (
        SELECT
            playlist_id,
            snapshot_id,
            row_number() OVER (
                PARTITION BY playlist_id ORDER BY seen_at DESC, snapshot_id DESC
            ) AS snapshot_rank
        FROM snapshots
    ) AS ranked
    WHERE snapshot_rank = 1
),

current_items AS (
    SELECT DISTINCT i.playlist_id, i.position, i.track_id
    FROM playlist_items AS i
    INNER JOIN current_snapshots AS c
        ON c.playlist_id = i.playlist_id AND c.snapshot_id = i.snapshot_id
    WHERE i.track_id IS NOT NULL AND i.item_type = 'track'
),

appearances AS (
    SELECT
        track_id,
        count(*) AS playlist_appearances,
        count(DISTINCT playlist_id) AS playlists
    FROM current_items
    GROUP BY track_id
),

play_counts AS (
    SELECT track_id, count(*) AS plays
    FROM (SELECT DISTINCT played_at, track_id FROM plays WHERE track_id IS NOT NULL) AS distinct_plays
    GROUP BY track_id
),

track_names AS (
    SELECT track_id, name
    FROM (
        SELECT
            track_id,
            name,
            row_number() OVER (
                PARTITION BY track_id ORDER BY extracted_at DESC, source_key DESC
            ) AS version_rank
        FROM tracks
    ) AS ranked
    WHERE version_rank = 1
),

counted AS (
    SELECT
        coalesce(a.track_id, p.track_id) AS track_id,
        coalesce(a.playlist_appearances, 0) AS playlist_appearances,
        coalesce(a.playlists, 0) AS playlists,
        coalesce(p.plays, 0) AS plays
    FROM appearances AS a
    FULL OUTER JOIN play_counts AS p ON p.track_id = a.track_id
)

SELECT
    c.track_id,
    n.name AS track_name,
    c.playlist_appearances,
    c.playlists,
    c.plays,
    rank() OVER (ORDER BY c.playlist_appearances DESC) AS appearance_rank,
    rank() OVER (ORDER BY c.plays DESC) AS play_rank
FROM counted AS c
LEFT JOIN track_names AS n ON n.track_id = c.track_id

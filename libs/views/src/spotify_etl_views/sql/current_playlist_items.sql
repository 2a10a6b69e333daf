-- Base view: the items of each playlist's current snapshot (the complete one fetched last: a snapshot cut half-way never shows), one row per position.
WITH current_snapshots AS (
    SELECT playlist_id, snapshot_id
    FROM (
        SELECT
            playlist_id,
            snapshot_id,
            row_number() OVER (
                PARTITION BY playlist_id ORDER BY fetched_at DESC, snapshot_id DESC
            ) AS snapshot_rank
        FROM complete_playlist_snapshots
    ) AS ranked
    WHERE snapshot_rank = 1
),

fetches AS (
    SELECT
        i.*,
        row_number() OVER (
            PARTITION BY i.playlist_id, i.position ORDER BY i.extracted_at DESC, i.source_key DESC
        ) AS fetch_rank
    FROM playlist_items AS i
    INNER JOIN current_snapshots AS c
        ON c.playlist_id = i.playlist_id AND c.snapshot_id = i.snapshot_id
)

SELECT
    playlist_id,
    snapshot_id,
    position,
    item_type,
    track_id,
    track_uri,
    is_local,
    added_at,
    added_by,
    source_key,
    extracted_at
FROM fetches
WHERE fetch_rank = 1

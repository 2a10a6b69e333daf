-- Base view: the items of each user's playlists at their current snapshot (the complete one fetched last: a snapshot cut half-way never shows), one row per position.
WITH current_snapshots AS (
    SELECT user_id, playlist_id, snapshot_id
    FROM (
        SELECT
            user_id,
            playlist_id,
            snapshot_id,
            row_number() OVER (
                PARTITION BY user_id, playlist_id ORDER BY fetched_at DESC, snapshot_id DESC
            ) AS snapshot_rank
        FROM complete_playlist_snapshots
    ) AS ranked
    WHERE snapshot_rank = 1
),

fetches AS (
    SELECT
        i.*,
        row_number() OVER (
            PARTITION BY i.user_id, i.playlist_id, i.position
            ORDER BY i.extracted_at DESC, i.source_key DESC
        ) AS fetch_rank
    FROM playlist_items AS i
    INNER JOIN current_snapshots AS c
        ON
            c.user_id IS NOT DISTINCT FROM i.user_id
            AND c.playlist_id = i.playlist_id
            AND c.snapshot_id = i.snapshot_id
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
    user_id,
    source_key,
    extracted_at
FROM fetches
WHERE fetch_rank = 1

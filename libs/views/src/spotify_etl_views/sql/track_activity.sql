-- Base view: one row per track event of a user: an appearance in a current playlist snapshot (with its playlist) or a distinct play (with its ms_played and export name).
SELECT
    user_id,
    track_id,
    playlist_id,
    'appearance' AS activity,
    CAST(NULL AS bigint) AS ms_played,
    CAST(NULL AS varchar) AS track_name
FROM current_playlist_items
WHERE track_id IS NOT NULL AND item_type = 'track'
UNION ALL
SELECT
    user_id,
    track_id,
    CAST(NULL AS varchar) AS playlist_id,
    'play' AS activity,
    ms_played,
    track_name
FROM distinct_plays
WHERE track_id IS NOT NULL

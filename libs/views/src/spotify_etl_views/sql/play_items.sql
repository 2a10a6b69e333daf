-- Base view: each distinct play of each user with what is known of what played: the export's names, else the catalog's (recently played), and a key per track.
SELECT
    d.user_id,
    d.played_at,
    d.ms_played,
    CASE
        WHEN d.track_id IS NOT NULL OR d.track_name IS NOT NULL THEN 'track'
        WHEN d.episode_id IS NOT NULL OR d.episode_name IS NOT NULL THEN 'episode'
        ELSE 'unknown'
    END AS item_type,
    coalesce(
        d.track_id,
        'names:' || lower(coalesce(d.artist_name, '')) || '|' || lower(d.track_name)
    ) AS track_key,
    d.track_id,
    coalesce(d.track_name, t.name) AS track_name,
    coalesce(d.artist_name, a.name) AS artist_name,
    d.album_name,
    d.episode_id,
    d.episode_name,
    d.show_name,
    d.platform,
    d.reason_end,
    coalesce(d.skipped, d.reason_end = 'fwdbtn') AS skipped,
    d.origin
FROM distinct_plays AS d
LEFT JOIN latest_tracks AS t ON t.track_id = d.track_id
LEFT JOIN latest_track_artists AS c ON c.track_id = d.track_id AND c.position = 0
LEFT JOIN latest_artists AS a ON a.artist_id = c.artist_id

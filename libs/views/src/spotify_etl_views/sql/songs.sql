-- Seed-compatible songs: latest version of each track, its first artist and when it was last added to any playlist of the household (query --user: to that user's).
WITH last_added AS (
    SELECT track_id, max(added_at) AS song_added
    FROM playlist_items
    WHERE track_id IS NOT NULL
    GROUP BY track_id
)

SELECT
    t.track_id AS song_id,
    t.name AS song_name,
    t.duration_ms,
    coalesce(t.url, 'https://open.spotify.com/track/' || t.track_id) AS url,
    t.popularity,
    a.song_added,
    t.album_id,
    f.artist_id
FROM latest_tracks AS t
LEFT JOIN latest_track_artists AS f ON f.track_id = t.track_id AND f.position = 0
LEFT JOIN last_added AS a ON a.track_id = t.track_id

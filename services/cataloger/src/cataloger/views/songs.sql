-- Seed-compatible songs: latest version of each track, its first artist and when it was last added.
WITH latest_tracks AS (
    SELECT *
    FROM (
        SELECT
            tracks.*,
            row_number() OVER (
                PARTITION BY track_id ORDER BY extracted_at DESC, source_key DESC
            ) AS version_rank
        FROM tracks
    ) AS ranked
    WHERE version_rank = 1
),

first_artists AS (
    SELECT track_id, artist_id
    FROM (
        SELECT
            track_id,
            artist_id,
            row_number() OVER (
                PARTITION BY track_id ORDER BY extracted_at DESC, source_key DESC
            ) AS version_rank
        FROM track_artists
        WHERE position = 0
    ) AS ranked
    WHERE version_rank = 1
),

last_added AS (
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
LEFT JOIN first_artists AS f ON f.track_id = t.track_id
LEFT JOIN last_added AS a ON a.track_id = t.track_id

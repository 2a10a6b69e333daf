-- Base view: each user's playlist snapshots stored whole (every item position its playlists row counts, or an empty one), with when their items were fetched; a run cut half-way leaves its snapshot out.
-- Complete: the distinct positions fetched reach total_items of a playlists row of that
-- snapshot (the playlist's own metadata object, written by the extractor after every page,
-- or a /me/playlists listing); without a known total, the metadata object alone.
-- Per user: two users who share a playlist each have their own snapshots of it.
WITH totals AS (
    SELECT
        user_id,
        playlist_id,
        snapshot_id,
        max(total_items) AS total_items,
        bool_or(source_key LIKE 'raw/source=playlists/%') AS finished,
        max(extracted_at) AS listed_at
    FROM playlists
    GROUP BY user_id, playlist_id, snapshot_id
),

fetched AS (
    SELECT
        user_id,
        playlist_id,
        snapshot_id,
        count(DISTINCT position) AS positions,
        max(extracted_at) AS seen_at
    FROM playlist_items
    GROUP BY user_id, playlist_id, snapshot_id
)

SELECT
    t.user_id,
    t.playlist_id,
    t.snapshot_id,
    t.total_items,
    coalesce(f.seen_at, t.listed_at) AS fetched_at
FROM totals AS t
LEFT JOIN fetched AS f
    ON
        f.user_id IS NOT DISTINCT FROM t.user_id
        AND f.playlist_id = t.playlist_id
        AND f.snapshot_id = t.snapshot_id
WHERE
    coalesce(f.positions, 0) >= t.total_items
    OR (t.total_items IS NULL AND t.finished)

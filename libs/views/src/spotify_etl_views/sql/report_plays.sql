-- Base view of the report: each distinct play with its local time (local_at, in UTC here; `spotify-etl report --tz` runs the report's views in another zone), whether it counts, and its names.
-- The counting rule of every report view: a play counts when ms_played is at least 30 s (the
-- rule of the streaming services and the scrobbling tools) or, for recently played, which has
-- no ms_played, when it appears. Minutes are sums of ms_played, never of track durations:
-- recently played adds plays but no minutes (minutes_known false).
-- local_at is the wall-clock time of played_at AT TIME ZONE 'UTC' (a timestamp without zone:
-- Athena views cannot hold one with a zone); the report runs this view, and the views that
-- read it, with that zone replaced by its --tz, so the zone is named in one place.
SELECT
    p.played_at,
    CAST(p.played_at AT TIME ZONE 'UTC' AS timestamp) AS local_at,
    p.ms_played,
    coalesce(p.ms_played >= 30000, p.origin = 'recently_played', false) AS counts,
    p.ms_played IS NOT NULL AS minutes_known,
    p.item_type,
    p.track_key,
    p.track_name,
    lower(p.artist_name) AS artist_key,
    p.artist_name,
    p.origin,
    p.skipped,
    p.platform
FROM play_items AS p

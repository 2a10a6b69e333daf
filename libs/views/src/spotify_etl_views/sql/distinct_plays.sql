-- Base view: each real play once per user (every column of plays) across re-imports, overlapping downloads and recently played; the export's detail wins.
-- Each user's plays are merged only with their own (user_id: every window is per user, every
-- join matches it; rows of keys written before the household, user_id null, form one user).
-- The rule (services/transformer/README.md, "Each play once"):
--   1. Copies: rows of the same kind with the same end time, item and ms_played are one play
--      (re-imported files, overlapping downloads, overlapping recently played fetches), except
--      within one object: identical rows of one file are each a row of the export, so the group
--      keeps the rows of the one object that holds it most often (ties: the latest).
--   2. Recently played vs the extended export: same track_id and end times at most 10 s apart.
--   3. Account data (names only, to the minute) vs the extended export: same names and end
--      times at most 120 s apart; vs recently played: the track's latest name and first
--      artist equal the names, at most 120 s apart.
--   An export row that wins keeps its own detail and takes context (and a missing track_id)
--   from the recently played copy nearest in time.
WITH kinds AS (
    SELECT
        p.*,
        CASE
            WHEN coalesce(p.origin, 'recently_played') = 'recently_played' THEN 'recent'
            WHEN p.track_id IS NULL AND p.episode_id IS NULL AND p.platform IS NULL THEN 'account'
            ELSE 'extended'
        END AS kind,
        coalesce(
            'names:' || lower(p.artist_name) || '|' || lower(p.track_name),
            'show:' || lower(p.show_name) || '|' || lower(p.episode_name)
        ) AS name_key
    FROM plays AS p
),

keyed AS (
    SELECT
        k.*,
        coalesce('track:' || k.track_id, 'episode:' || k.episode_id, k.name_key, 'unknown')
            AS item_key,
        coalesce(k.ms_played, -1) AS ms_key
    FROM kinds AS k
),

counted AS (
    SELECT
        k.*,
        coalesce(k.source_key, '') AS copy_source,
        count(*) OVER (
            PARTITION BY
                k.user_id, k.kind, k.played_at, k.item_key, k.ms_key, coalesce(k.source_key, '')
        ) AS copies_in_source
    FROM keyed AS k
),

once AS (
    SELECT *
    FROM (
        SELECT
            c.*,
            first_value(c.copy_source) OVER (
                PARTITION BY c.user_id, c.kind, c.played_at, c.item_key, c.ms_key
                ORDER BY c.copies_in_source DESC, c.extracted_at DESC, c.copy_source DESC
            ) AS kept_source
        FROM counted AS c
    ) AS copies
    WHERE copy_source = kept_source
),

recent AS (
    SELECT
        o.*,
        'names:' || lower(a.name) || '|' || lower(t.name) AS catalog_name_key
    FROM once AS o
    LEFT JOIN latest_tracks AS t ON t.track_id = o.track_id
    LEFT JOIN latest_track_artists AS c ON c.track_id = o.track_id AND c.position = 0
    LEFT JOIN latest_artists AS a ON a.artist_id = c.artist_id
    WHERE o.kind = 'recent'
),

pairs AS (
    SELECT
        e.user_id,
        e.kind,
        e.played_at,
        e.item_key,
        e.ms_key,
        r.played_at AS recent_played_at,
        r.item_key AS recent_item_key,
        r.track_id AS recent_track_id,
        r.context_type AS recent_context_type,
        r.context_uri AS recent_context_uri
    FROM once AS e
    INNER JOIN recent AS r
        ON
            r.track_id = e.track_id
            AND r.user_id IS NOT DISTINCT FROM e.user_id
            AND r.played_at BETWEEN e.played_at - INTERVAL '10' SECOND
            AND e.played_at + INTERVAL '10' SECOND
    WHERE e.kind = 'extended'
    UNION ALL
    SELECT
        e.user_id,
        e.kind,
        e.played_at,
        e.item_key,
        e.ms_key,
        r.played_at AS recent_played_at,
        r.item_key AS recent_item_key,
        r.track_id AS recent_track_id,
        r.context_type AS recent_context_type,
        r.context_uri AS recent_context_uri
    FROM once AS e
    INNER JOIN recent AS r
        ON
            r.catalog_name_key = e.name_key
            AND r.user_id IS NOT DISTINCT FROM e.user_id
            AND r.played_at BETWEEN e.played_at - INTERVAL '120' SECOND
            AND e.played_at + INTERVAL '120' SECOND
    WHERE e.kind = 'account'
),

nearest AS (
    SELECT *
    FROM (
        SELECT
            pairs.*,
            row_number() OVER (
                PARTITION BY user_id, kind, played_at, item_key, ms_key
                ORDER BY abs(date_diff('millisecond', recent_played_at, played_at)), recent_played_at
            ) AS match_rank
        FROM pairs
    ) AS ranked
    WHERE match_rank = 1
),

superseded_account AS (
    SELECT DISTINCT
        a.user_id,
        a.played_at,
        a.item_key,
        a.ms_key
    FROM once AS a
    INNER JOIN once AS e
        ON
            e.name_key = a.name_key
            AND e.user_id IS NOT DISTINCT FROM a.user_id
            AND e.kind = 'extended'
            AND e.played_at BETWEEN a.played_at - INTERVAL '120' SECOND
            AND a.played_at + INTERVAL '120' SECOND
    WHERE a.kind = 'account'
),

superseded_recent AS (
    SELECT DISTINCT
        user_id,
        recent_played_at,
        recent_item_key
    FROM pairs
),

winners AS (
    SELECT o.*
    FROM once AS o
    LEFT JOIN superseded_account AS s
        ON
            s.user_id IS NOT DISTINCT FROM o.user_id
            AND s.played_at = o.played_at
            AND s.item_key = o.item_key
            AND s.ms_key = o.ms_key
    WHERE o.kind = 'extended' OR (o.kind = 'account' AND s.played_at IS NULL)
)

SELECT
    w.played_at,
    coalesce(w.track_id, n.recent_track_id) AS track_id,
    coalesce(w.context_type, n.recent_context_type) AS context_type,
    coalesce(w.context_uri, n.recent_context_uri) AS context_uri,
    w.ms_played,
    w.episode_id,
    w.reason_start,
    w.reason_end,
    w.shuffle,
    w.skipped,
    w.offline,
    w.offline_at,
    w.incognito_mode,
    w.platform,
    w.conn_country,
    w.track_name,
    w.artist_name,
    w.album_name,
    w.episode_name,
    w.show_name,
    w.origin,
    w.user_id,
    w.source_key,
    w.extracted_at
FROM winners AS w
LEFT JOIN nearest AS n
    ON
        n.user_id IS NOT DISTINCT FROM w.user_id
        AND n.kind = w.kind
        AND n.played_at = w.played_at
        AND n.item_key = w.item_key
        AND n.ms_key = w.ms_key
UNION ALL
SELECT
    r.played_at,
    r.track_id,
    r.context_type,
    r.context_uri,
    r.ms_played,
    r.episode_id,
    r.reason_start,
    r.reason_end,
    r.shuffle,
    r.skipped,
    r.offline,
    r.offline_at,
    r.incognito_mode,
    r.platform,
    r.conn_country,
    r.track_name,
    r.artist_name,
    r.album_name,
    r.episode_name,
    r.show_name,
    coalesce(r.origin, 'recently_played') AS origin,
    r.user_id,
    r.source_key,
    r.extracted_at
FROM recent AS r
LEFT JOIN superseded_recent AS s
    ON
        s.user_id IS NOT DISTINCT FROM r.user_id
        AND s.recent_played_at = r.played_at
        AND s.recent_item_key = r.item_key
WHERE s.recent_played_at IS NULL

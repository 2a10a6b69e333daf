-- The podcasts (shows) saved in the user's library now (see current_saved_items for the rule), with names and when each was saved.
WITH latest_shows AS (
    SELECT show_id, name, publisher, total_episodes
    FROM (
        SELECT
            shows.*,
            row_number() OVER (
                PARTITION BY show_id ORDER BY extracted_at DESC, source_key DESC
            ) AS version_rank
        FROM shows
    ) AS ranked
    WHERE version_rank = 1
)

SELECT
    s.item_id AS show_id,
    sh.name,
    sh.publisher,
    sh.total_episodes,
    s.added_at,
    s.seen_at
FROM current_saved_items AS s
LEFT JOIN latest_shows AS sh ON sh.show_id = s.item_id
WHERE s.item_type = 'show'

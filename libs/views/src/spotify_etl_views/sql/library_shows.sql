-- Each user's: the podcasts (shows) saved in the user's library now (see current_saved_items for the rule), with names and when each was saved.
-- Each detail of a show is the newest non-null value any row gave (newest by extracted_at, then
-- source_key): a show embedded in an episode (of a playlist or a saved episode) may lack fields a
-- full show object (GET /shows/{id}, a saved-shows page) has, total_episodes above all, so a newer
-- but thinner row updates what it says and never blanks what an earlier, fuller one said.
WITH versions AS (
    SELECT
        show_id,
        name,
        publisher,
        total_episodes,
        row_number() OVER (
            PARTITION BY show_id ORDER BY extracted_at DESC, source_key DESC
        ) AS version_rank
    FROM shows
),

latest_shows AS (
    SELECT
        show_id,
        min_by(name, version_rank) FILTER (WHERE name IS NOT NULL) AS name,
        min_by(publisher, version_rank) FILTER (WHERE publisher IS NOT NULL) AS publisher,
        min_by(total_episodes, version_rank) FILTER (
            WHERE total_episodes IS NOT NULL
        ) AS total_episodes
    FROM versions
    GROUP BY show_id
)

SELECT
    s.user_id,
    s.item_id AS show_id,
    sh.name,
    sh.publisher,
    sh.total_episodes,
    s.added_at,
    s.seen_at
FROM current_saved_items AS s
LEFT JOIN latest_shows AS sh ON sh.show_id = s.item_id
WHERE s.item_type = 'show'

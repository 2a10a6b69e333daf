-- Base view: what each user's library holds now (tracks, albums, shows, episodes): the newest complete listing of each kind, plus every item incremental listings saw since it, each item once with when it was saved.
-- A listing is the pages one extractor run fetched (the run= segment of their raw key; an object
-- without one is a listing by itself). It is complete when it holds as many distinct positions as
-- the library's total, as a full listing does. Now = the newest complete listing and every listing
-- begun after it (incremental runs page only until an item already stored, so they add the items
-- saved since; a removal shows once the next full listing has run). Without a complete listing,
-- every listing counts. An item in several listings keeps its latest added_at. All of it per user.
WITH pages AS (
    SELECT
        user_id,
        'track' AS item_type,
        track_id AS item_id,
        added_at,
        position,
        total,
        source_key,
        extracted_at
    FROM saved_tracks
    UNION ALL
    SELECT user_id, 'album', album_id, added_at, position, total, source_key, extracted_at
    FROM saved_albums
    UNION ALL
    SELECT user_id, 'show', show_id, added_at, position, total, source_key, extracted_at
    FROM saved_shows
    UNION ALL
    SELECT user_id, 'episode', episode_id, added_at, position, total, source_key, extracted_at
    FROM saved_episodes
),

listed AS (
    SELECT
        pages.*,
        coalesce(nullif(regexp_extract(source_key, '/run=([^/]+)/', 1), ''), source_key) AS listing
    FROM pages
),

listings AS (
    SELECT
        user_id,
        item_type,
        listing,
        min(extracted_at) AS listed_at,
        count(DISTINCT position) AS entries,
        min(total) AS total
    FROM listed
    GROUP BY user_id, item_type, listing
),

newest_complete AS (
    SELECT user_id, item_type, max(listed_at) AS listed_at
    FROM listings
    WHERE entries >= total
    GROUP BY user_id, item_type
),

current_listings AS (
    SELECT l.user_id, l.item_type, l.listing
    FROM listings AS l
    LEFT JOIN newest_complete AS c
        ON c.user_id IS NOT DISTINCT FROM l.user_id AND c.item_type = l.item_type
    WHERE c.listed_at IS NULL OR l.listed_at >= c.listed_at
),

saved AS (
    SELECT
        i.user_id,
        i.item_type,
        i.item_id,
        i.added_at,
        i.extracted_at,
        row_number() OVER (
            PARTITION BY i.user_id, i.item_type, i.item_id
            ORDER BY i.added_at DESC, i.extracted_at DESC
        ) AS save_rank
    FROM listed AS i
    INNER JOIN current_listings AS c
        ON
            c.user_id IS NOT DISTINCT FROM i.user_id
            AND c.item_type = i.item_type
            AND c.listing = i.listing
)

SELECT user_id, item_type, item_id, added_at, extracted_at AS seen_at
FROM saved
WHERE save_rank = 1

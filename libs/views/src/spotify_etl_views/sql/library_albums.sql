-- Each user's: the albums saved in the user's library now (see current_saved_items for the rule), with names and when each was saved.
SELECT
    s.user_id,
    s.item_id AS album_id,
    al.name,
    al.album_type,
    al.release_date,
    al.release_date_precision,
    al.total_tracks,
    s.added_at,
    s.seen_at
FROM current_saved_items AS s
LEFT JOIN latest_albums AS al ON al.album_id = s.item_id
WHERE s.item_type = 'album'

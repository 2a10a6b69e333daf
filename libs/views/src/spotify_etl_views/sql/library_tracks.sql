-- Each user's: the tracks saved in the user's library now (see current_saved_items for the rule), newest first, with names and when each was saved.
SELECT
    s.user_id,
    s.item_id AS track_id,
    t.name,
    a.artist_id,
    a.name AS artist_name,
    t.album_id,
    al.name AS album_name,
    s.added_at,
    s.seen_at
FROM current_saved_items AS s
LEFT JOIN latest_tracks AS t ON t.track_id = s.item_id
LEFT JOIN latest_track_artists AS ta ON ta.track_id = s.item_id AND ta.position = 0
LEFT JOIN latest_artists AS a ON a.artist_id = ta.artist_id
LEFT JOIN latest_albums AS al ON al.album_id = t.album_id
WHERE s.item_type = 'track'

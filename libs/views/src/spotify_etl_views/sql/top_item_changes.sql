-- Taste drift in numbers: per complete snapshot of your top artists and tracks (per time range), how many items entered, left and stayed since the previous one (top_item_ranks).
SELECT
    item_type,
    time_range,
    snapshot_number,
    taken_at,
    count_if(change = 'entered') AS entered,
    count_if(change = 'left') AS left_items,
    count_if(change = 'stayed') AS stayed,
    count_if(change <> 'left') AS items
FROM top_item_ranks
GROUP BY item_type, time_range, snapshot_number, taken_at

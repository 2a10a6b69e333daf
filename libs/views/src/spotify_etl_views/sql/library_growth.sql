-- Library growth: the tracks and albums saved in the library now (current_saved_items), per local day they were saved (added_at), with the running total.
-- Removed items are not known, so the curve is the history of what is still saved. added_at is
-- read AT TIME ZONE 'UTC'; the report replaces the zone with its --tz (see report_plays).
WITH daily AS (
    SELECT
        item_type,
        CAST(added_at AT TIME ZONE 'UTC' AS date) AS day,
        count(*) AS added
    FROM current_saved_items
    WHERE item_type IN ('track', 'album') AND added_at IS NOT NULL
    GROUP BY item_type, CAST(added_at AT TIME ZONE 'UTC' AS date)
)

SELECT
    item_type,
    day,
    added,
    sum(added) OVER (
        PARTITION BY item_type ORDER BY day ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
    ) AS saved_total
FROM daily

-- Skip rate per user, UTC hour of day and platform family (the web player first: its text names the OS too), over the plays whose skip is known (skipped, else reason_end fwdbtn).
WITH known AS (
    SELECT
        user_id,
        hour(played_at) AS hour_of_day,
        CASE
            WHEN lower(platform) LIKE '%web_player%' OR lower(platform) LIKE 'webplayer%' THEN 'web'
            WHEN lower(platform) LIKE '%android%' THEN 'android'
            WHEN lower(platform) LIKE '%ios%' OR lower(platform) LIKE '%iphone%' THEN 'ios'
            WHEN lower(platform) LIKE '%windows%' THEN 'windows'
            WHEN lower(platform) LIKE '%os x%' OR lower(platform) LIKE '%osx%' THEN 'macos'
            WHEN lower(platform) LIKE '%linux%' THEN 'linux'
            WHEN lower(platform) LIKE '%web%' THEN 'web'
            ELSE coalesce(lower(platform), 'unknown')
        END AS platform,
        skipped
    FROM play_items
    WHERE skipped IS NOT NULL
)

SELECT
    user_id,
    hour_of_day,
    platform,
    count(*) AS plays,
    count_if(skipped) AS skips,
    CAST(count_if(skipped) AS double) / count(*) AS skip_rate
FROM known
GROUP BY user_id, hour_of_day, platform

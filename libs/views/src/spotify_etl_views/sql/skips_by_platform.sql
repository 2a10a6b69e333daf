-- Share of plays skipped per platform family, over every play whose skip is known, whatever its length (skip_rate_by_hour_and_platform summed over the hours).
SELECT
    platform,
    sum(plays) AS plays,
    sum(skips) AS skips,
    CAST(sum(skips) AS double) / sum(plays) AS skip_share
FROM skip_rate_by_hour_and_platform
GROUP BY platform

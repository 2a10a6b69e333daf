-- Share of plays skipped per local hour of day, over every play whose skip is known (the export's skipped, else reason_end fwdbtn), whatever its length.
-- Skips are the exception to the 30 s rule of report_plays: a skip usually comes before 30 s,
-- so every play with a known skip counts here. Recently played never says.
SELECT
    hour(local_at) AS hour,
    count(*) AS plays,
    count_if(skipped) AS skips,
    CAST(count_if(skipped) AS double) / count(*) AS skip_share
FROM report_plays
WHERE skipped IS NOT NULL
GROUP BY hour(local_at)

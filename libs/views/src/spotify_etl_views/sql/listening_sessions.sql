-- Listening sessions: runs of plays where each begins at most 10 minutes after the previous one ended; start and end in local time, length, the plays that count and their minutes, ranked longest first.
-- A play begins ms_played before it ends (played_at); recently played, without ms_played, is
-- taken to begin when it ends. Every play (skips too) keeps a session going; plays and minutes
-- are those of the plays that count (see report_plays).
WITH timed AS (
    SELECT
        played_at,
        local_at,
        date_add('millisecond', -coalesce(ms_played, 0), played_at) AS started_at,
        date_add('millisecond', -coalesce(ms_played, 0), local_at) AS local_started_at,
        ms_played,
        counts,
        track_key
    FROM report_plays
),

flagged AS (
    SELECT
        timed.*,
        CASE
            WHEN
                date_diff(
                    'millisecond',
                    lag(played_at) OVER (ORDER BY played_at, started_at, track_key),
                    started_at
                ) <= 600000
                THEN 0
            ELSE 1
        END AS starts_session
    FROM timed
),

numbered AS (
    SELECT
        flagged.*,
        sum(starts_session) OVER (
            ORDER BY played_at, started_at, track_key
            ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
        ) AS session
    FROM flagged
),

sessions AS (
    SELECT
        min(local_started_at) AS session_start,
        max(local_at) AS session_end,
        CAST(date_diff('millisecond', min(started_at), max(played_at)) AS double) / 60000
            AS length_minutes,
        count_if(counts) AS plays,
        CAST(sum(CASE WHEN counts THEN ms_played END) AS double) / 60000 AS minutes
    FROM numbered
    GROUP BY session
)

SELECT
    session_start,
    session_end,
    length_minutes,
    plays,
    minutes,
    row_number() OVER (ORDER BY length_minutes DESC, session_start) AS length_rank
FROM sessions

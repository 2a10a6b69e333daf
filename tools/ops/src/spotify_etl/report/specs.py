"""Vega-Lite specs of the report's charts, built with Altair from the rows they draw (pure).

Each spec names its data (``{"name": <data set key>}``) instead of carrying it: the
page holds every data set once, in ``<script id="report-data">``, and hands them to
Vega-Lite as ``datasets`` when it draws. Times are already in the report's zone, so
time units are read as UTC (the viewer's browser zone must not shift them again).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import altair as alt

from spotify_etl.report.values import JsonValue

Records = Sequence[Mapping[str, JsonValue]]
Spec = dict[str, Any]

HEIGHT = 260
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
ORIGINS = {"export": "data export", "recently_played": "recently played"}
TIME_RANGES = {
    "short_term": "last 4 weeks",
    "medium_term": "last 6 months",
    "long_term": "all time",
}
COLUMNS = 8
"""Columns (years, snapshots) a bump chart shows at once: each about 140 px wide at a laptop's
width, room for a label; a slider moves along the others."""
LABEL_WIDTH = 112
"""Pixels of a bump chart's label before it is cut with an ellipsis (hover for the whole)."""

_CONFIG: Spec = {
    "font": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
    "view": {"stroke": None},
    "axis": {"labelFontSize": 12, "titleFontSize": 12, "titleFontWeight": "normal"},
    "legend": {"labelFontSize": 12, "titleFontSize": 12, "orient": "top"},
    "bar": {"color": "#1f7a4d"},
    "line": {"color": "#1f7a4d"},
}


def _data(key: str) -> alt.NamedData:
    return alt.NamedData(name=key)


def finish(chart: alt.TopLevelMixin) -> Spec:
    """The chart as a plain spec: the page's config, no ``$schema`` (nothing to fetch)."""
    spec: Spec = chart.to_dict()
    spec.pop("$schema", None)
    spec["config"] = {**_CONFIG, **{k: v for k, v in spec.get("config", {}).items() if k != "view"}}
    spec["autosize"] = {"type": "fit-x", "contains": "padding"}
    return spec


def _minutes_text(field: str = "minutes") -> str:
    """A Vega expression: the minutes with thousands separators, or "unknown"."""
    return f"datum.{field} == null ? 'unknown' : format(datum.{field}, ',.0f')"


def listening_time(rows: Records, key: str) -> Spec:
    """Hours per month by origin (where minutes are known) over plays per month by origin."""
    base = alt.Chart(_data(key)).transform_calculate(
        source=f"datum.origin == 'export' ? '{ORIGINS['export']}' : "
        f"datum.origin == 'recently_played' ? '{ORIGINS['recently_played']}' : datum.origin",
        hours="datum.minutes == null ? null : datum.minutes / 60",
        minutes_text=_minutes_text(),
    )
    x = alt.X("utcyearmonth(month):T", title=None, axis=alt.Axis(format="%Y", tickCount="year"))
    color = alt.Color("source:N", title="origin", scale=alt.Scale(range=["#1f7a4d", "#e08a1e"]))
    tooltip = [
        alt.Tooltip("utcyearmonth(month):T", title="month", format="%B %Y"),
        alt.Tooltip("source:N", title="origin"),
        alt.Tooltip("plays:Q", title="plays", format=","),
        alt.Tooltip("minutes_text:N", title="minutes"),
    ]
    plays = base.mark_bar().encode(
        x=x, y=alt.Y("sum(plays):Q", title="plays"), color=color, tooltip=tooltip
    )
    if not any(r["minutes"] is not None for r in rows):
        return finish(plays.properties(width="container", height=HEIGHT))
    hours = (
        base.transform_filter("datum.minutes != null")
        .mark_bar()
        .encode(x=x, y=alt.Y("sum(hours):Q", title="hours listened"), color=color, tooltip=tooltip)
    )
    return finish(
        alt.vconcat(
            hours.properties(width="container", height=HEIGHT),
            plays.properties(width="container", height=160),
        ).resolve_scale(x="shared")
    )


def window(values: Sequence[int], field: str, label: str) -> tuple[list[alt.Parameter], str]:
    """A slider choosing which :data:`COLUMNS` consecutive ``field`` values a bump chart shows
    (the latest by default), and its filter; no slider when they all fit."""
    if not values or max(values) - min(values) < COLUMNS:
        return [], "true"
    last_start = max(values) - COLUMNS + 1
    start = alt.param(
        name=f"{field}_from",
        value=last_start,
        bind=alt.binding_range(min=min(values), max=last_start, step=1, name=label),
    )
    return [start], f"datum.{field} >= {field}_from && datum.{field} < {field}_from + {COLUMNS}"


def _bump_layers(
    base: alt.Chart, x: alt.X, name: str, tooltip: list[alt.Tooltip], **point: Any
) -> alt.LayerChart | alt.FacetChart:
    """Lines joining one ``name``'s ranks, its points, and a label beside each point; hovering
    a name fades the others."""
    hover = alt.selection_point(fields=[name], on="pointerover", clear="pointerout")
    y = alt.Y("rank:O", title="rank", scale=alt.Scale(domain=list(range(1, 11))))
    color = alt.Color(f"{name}:N", legend=None, scale=alt.Scale(scheme="tableau20"))
    faded = alt.condition(hover, alt.value(1.0), alt.value(0.25))
    lines = base.mark_line(strokeWidth=3, interpolate="monotone").encode(
        x=x, y=y, color=color, detail=f"{name}:N", opacity=faded
    )
    points = (
        base.mark_point(size=110, filled=True)
        .encode(x=x, y=y, color=color, opacity=faded, tooltip=tooltip, **point)
        .add_params(hover)
    )
    labels = base.mark_text(align="left", dx=9, fontSize=12, limit=LABEL_WIDTH).encode(
        x=x, y=y, text=f"{name}:N", opacity=faded, tooltip=tooltip
    )
    return alt.layer(lines, points, labels, width="container", height=10 * 34)


def top_bump(rows: Records, key: str, name: str, detail: str | None = None) -> Spec:
    """The top 10 of each year as a bump chart: ranks (1 on top) by year, one line per
    ``name``, each point labelled; a slider picks the years when they do not all fit."""
    params, shown = window([int(str(r["year"])) for r in rows], "year", "years from ")
    tooltip = [
        alt.Tooltip("year:O", title="year"),
        alt.Tooltip("rank:Q", title="rank"),
        alt.Tooltip(f"{name}:N", title=name.removesuffix("_name")),
    ]
    if detail:
        tooltip.append(alt.Tooltip(f"{detail}:N", title=detail.removesuffix("_name")))
    tooltip += [
        alt.Tooltip("plays:Q", title="plays", format=","),
        alt.Tooltip("minutes_text:N", title="minutes"),
    ]
    base = (
        alt.Chart(_data(key))
        .transform_filter(shown)
        .transform_calculate(minutes_text=_minutes_text())
    )
    x = alt.X("year:O", title=None, axis=alt.Axis(labelAngle=0, orient="top", labelFontSize=13))
    chart = _bump_layers(base, x, name, tooltip)
    return finish(chart.add_params(*params) if params else chart)


def listening_clock(rows: Records, key: str) -> Spec:
    """Plays per weekday (rows) and hour (columns), darker for more."""
    base = alt.Chart(_data(key)).transform_calculate(
        day=f"{list(WEEKDAYS)}[datum.weekday - 1]",
        minutes_text=_minutes_text(),
    )
    return finish(
        base.mark_rect(cornerRadius=2)
        .encode(
            x=alt.X("hour:O", title="hour of day", axis=alt.Axis(labelAngle=0)),
            y=alt.Y("day:O", title=None, sort=list(WEEKDAYS)),
            color=alt.Color("plays:Q", title="plays", scale=alt.Scale(scheme="greens")),
            tooltip=[
                alt.Tooltip("day:O", title="day"),
                alt.Tooltip("hour:O", title="hour"),
                alt.Tooltip("plays:Q", title="plays", format=","),
                alt.Tooltip("minutes_text:N", title="minutes"),
            ],
        )
        .properties(width="container", height=7 * 30)
    )


def session_lengths(rows: Records, key: str) -> Spec:
    """Sessions per length band, shortest band first."""
    base = alt.Chart(_data(key)).encode(
        x=alt.X(
            "band:N",
            title="session length",
            sort=None,  # the query orders by band_order
            axis=alt.Axis(labelAngle=0),
        ),
        y=alt.Y("sessions:Q", title="sessions"),
        tooltip=[
            alt.Tooltip("band:N", title="length"),
            alt.Tooltip("sessions:Q", title="sessions", format=","),
            alt.Tooltip("plays:Q", title="plays that count", format=","),
        ],
    )
    bars = base.mark_bar()
    counts = base.mark_text(dy=-8, fontSize=12).encode(text=alt.Text("sessions:Q", format=","))
    return finish(alt.layer(bars, counts).properties(width="container", height=HEIGHT))


def longest_sessions(rows: Records, key: str) -> Spec:
    """The longest sessions as bars of hours, each named by its start and its plays."""
    return finish(
        alt.Chart(_data(key))
        .transform_calculate(
            hours="datum.length_minutes / 60",
            started="replace(slice(datum.session_start, 0, 16), 'T', ' ')",
            session="datum.started + ' · ' + format(datum.plays, ',') + "
            "(datum.plays == 1 ? ' play' : ' plays')",
            minutes_text=_minutes_text(),
        )
        .mark_bar()
        .encode(
            y=alt.Y("session:N", title=None, sort=None),  # by length_rank, as queried
            x=alt.X("hours:Q", title="hours"),
            tooltip=[
                alt.Tooltip("started:N", title="started"),
                alt.Tooltip("session_end:N", title="ended"),
                alt.Tooltip("hours:Q", title="hours", format=".1f"),
                alt.Tooltip("plays:Q", title="plays that count", format=","),
                alt.Tooltip("minutes_text:N", title="minutes played"),
            ],
        )
        .properties(width="container", height=max(len(rows), 1) * 24)
    )


def skips_by_hour(rows: Records, key: str) -> Spec:
    """Share skipped per hour of day."""
    return finish(
        alt.Chart(_data(key))
        .mark_bar()
        .encode(
            x=alt.X("hour:O", title="hour of day", axis=alt.Axis(labelAngle=0)),
            y=alt.Y("skip_share:Q", title="skipped", axis=alt.Axis(format="%")),
            tooltip=_skip_tooltip("hour:O", "hour"),
        )
        .properties(width="container", height=HEIGHT)
    )


def skips_by_platform(rows: Records, key: str) -> Spec:
    """Share skipped per platform family, most played first."""
    base = alt.Chart(_data(key)).encode(
        y=alt.Y("platform:N", title=None, sort=None),  # most plays first, as queried
        x=alt.X("skip_share:Q", title="skipped", axis=alt.Axis(format="%")),
        tooltip=_skip_tooltip("platform:N", "platform"),
    )
    bars = base.mark_bar()
    labels = base.mark_text(align="left", dx=4, fontSize=11).encode(
        text=alt.Text("skip_share:Q", format=".1%")
    )
    return finish(
        alt.layer(bars, labels).properties(width="container", height=max(len(rows), 1) * 30)
    )


def _skip_tooltip(field: str, title: str) -> list[alt.Tooltip]:
    return [
        alt.Tooltip(field, title=title),
        alt.Tooltip("skip_share:Q", title="skipped", format=".1%"),
        alt.Tooltip("skips:Q", title="skips", format=","),
        alt.Tooltip("plays:Q", title="plays with a known skip", format=","),
    ]


def discoveries(rows: Records, key: str) -> Spec:
    """New artists per month (bars) and how many so far (line, its own axis)."""
    base = alt.Chart(_data(key)).encode(
        x=alt.X("utcyearmonth(month):T", title=None, axis=alt.Axis(format="%Y", tickCount="year")),
        tooltip=[
            alt.Tooltip("utcyearmonth(month):T", title="month", format="%B %Y"),
            alt.Tooltip("new_artists:Q", title="new artists", format=","),
            alt.Tooltip("artists_so_far:Q", title="artists so far", format=","),
            alt.Tooltip("top_newcomer:N", title="newcomer played most"),
            alt.Tooltip("top_newcomer_plays:Q", title="its plays", format=","),
        ],
    )
    bars = base.mark_bar().encode(y=alt.Y("new_artists:Q", title="new artists"))
    line = base.mark_line(color="#e08a1e", strokeWidth=2, interpolate="step-after").encode(
        y=alt.Y(
            "artists_so_far:Q",
            title="artists so far",
            axis=alt.Axis(titleColor="#b86a10", grid=False),
        )
    )
    return finish(
        alt.layer(bars, line)
        .resolve_scale(y="independent")
        .properties(width="container", height=HEIGHT)
    )


def library_growth(rows: Records, key: str) -> Spec:
    """Saved tracks and albums so far, by the day they were saved."""
    base = (
        alt.Chart(_data(key))
        .transform_calculate(kind="datum.item_type == 'track' ? 'saved tracks' : 'saved albums'")
        .encode(
            x=alt.X("utcyearmonthdate(day):T", title=None),
            y=alt.Y("saved_total:Q", title="in the library"),
            color=alt.Color("kind:N", title=None, scale=alt.Scale(range=["#1f7a4d", "#e08a1e"])),
            tooltip=[
                alt.Tooltip("utcyearmonthdate(day):T", title="day", format="%Y-%m-%d"),
                alt.Tooltip("kind:N", title="kind"),
                alt.Tooltip("added:Q", title="saved that day", format=","),
                alt.Tooltip("saved_total:Q", title="so far", format=","),
            ],
        )
    )
    line = base.mark_line(interpolate="step-after", strokeWidth=2)
    points = base.mark_circle(size=30)
    return finish(alt.layer(line, points).properties(width="container", height=HEIGHT))


def taste_drift(ranks: Records, changes: Records, ranks_key: str, changes_key: str) -> Spec:
    """The top 10's ranks across snapshots (a triangle: entered since the one before) over
    the items that entered and left the whole list; the kind, the time range and (when they
    do not all fit) the snapshots picked above the chart."""
    kinds = sorted({str(r["item_type"]) for r in changes}) or ["artist"]
    ranges = [t for t in TIME_RANGES if any(r["time_range"] == t for r in changes)] or list(
        TIME_RANGES
    )
    kind = alt.param(
        name="kind",
        value=kinds[0],
        bind=alt.binding_select(options=kinds, labels=[f"{k}s" for k in kinds], name="top "),
    )
    span = alt.param(
        name="span",
        value="long_term" if "long_term" in ranges else ranges[0],
        bind=alt.binding_select(
            options=ranges, labels=[TIME_RANGES[t] for t in ranges], name="over "
        ),
    )
    numbers = [int(str(r["snapshot_number"])) for r in changes]
    slider, shown = window(numbers, "snapshot_number", "snapshots from #")
    chosen = f"datum.item_type == kind && datum.time_range == span && ({shown})"
    taken = "replace(slice(datum.taken_at, 0, 16), 'T', ' ')"
    tooltip = [
        alt.Tooltip("snapshot:N", title="snapshot taken"),
        alt.Tooltip("name:N", title="name"),
        alt.Tooltip("rank:Q", title="rank"),
        alt.Tooltip("previous_rank:Q", title="rank before"),
        alt.Tooltip("change:N", title="since the snapshot before"),
    ]
    base = alt.Chart(_data(ranks_key)).transform_filter(chosen).transform_calculate(snapshot=taken)
    x = alt.X("snapshot:O", title=None, sort="ascending", axis=alt.Axis(labelAngle=0, orient="top"))
    shape = alt.Shape(
        "change:N",
        title="since the snapshot before",
        scale=alt.Scale(
            domain=["first", "stayed", "entered"], range=["circle", "circle", "triangle-up"]
        ),
    )
    ranked = _bump_layers(base, x, "name", tooltip, shape=shape)
    moved = (
        alt.Chart(_data(changes_key))
        .transform_filter(chosen)
        .transform_calculate(snapshot=taken)
        .transform_fold(["entered", "left_items"], as_=["change", "items_changed"])
        .transform_calculate(change="datum.change == 'left_items' ? 'left' : 'entered'")
        .mark_bar()
        .encode(
            x=alt.X("snapshot:O", title=None, sort="ascending", axis=alt.Axis(labelAngle=0)),
            xOffset="change:N",
            y=alt.Y("items_changed:Q", title="items", axis=alt.Axis(tickMinStep=1)),
            color=alt.Color(
                "change:N",
                title="the whole list",
                scale=alt.Scale(domain=["entered", "left"], range=["#1f7a4d", "#c0392b"]),
            ),
            tooltip=[
                alt.Tooltip("snapshot:N", title="snapshot taken"),
                alt.Tooltip("change:N", title="change"),
                alt.Tooltip("items_changed:Q", title="items"),
            ],
        )
        .properties(width="container", height=140)
    )
    return finish(
        alt.vconcat(ranked, moved)
        .add_params(kind, span, *slider)
        .resolve_scale(color="independent", shape="independent")
    )

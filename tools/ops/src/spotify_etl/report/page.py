"""The report as one self-contained HTML page (pure: every input is passed in).

Scripts, styles and data are inline; the page requests nothing. Each figure is
a ``<section data-figure=KEY data-datasets="...">`` whose ``.vis`` Vega-Lite
fills from ``<script type="application/json" id="report-specs">`` and the data
sets of ``<script type="application/json" id="report-data">``; when every chart
is drawn (or failed) the body gets ``data-ready``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from html import escape
from typing import Any

from spotify_etl.report.figures import Figure
from spotify_etl.report.specs import Records, Spec
from spotify_etl.report.year_card import YearCard
from spotify_etl.report.zones import Zone

COUNTING_RULE = (
    "A play counts when at least 30 seconds of it were played (ms_played of 30,000 or more, "
    "the rule of the streaming services and the scrobbling tools) or, for recently played, "
    "which does not say how long a play lasted, when it appears. Each play is counted once "
    "across imports, downloads and recently played (the view distinct_plays). Minutes are sums "
    "of ms_played, never of track durations: recently played adds plays but no minutes, and "
    "where minutes are unknown the page says so."
)


CSP = (
    "default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; "
    "style-src 'unsafe-inline'; img-src data:"
)
"""Nothing may load from anywhere: inline scripts (Vega compiles expressions) and styles only."""


@dataclass(frozen=True)
class PageFacts:
    """What the page says about itself."""

    zone: Zone
    engine: str
    """Where the numbers were computed, e.g. "DuckDB over the local stack"."""
    generated_at: datetime
    vega_lite: str


def json_script(element_id: str, value: Any) -> str:
    """``value`` as an inline JSON script (``<`` escaped, so no text closes the element)."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")
    return f'<script type="application/json" id="{element_id}">{text}</script>'


def inline_script(code: str) -> str:
    """A classic inline script; ``</script`` inside it cannot end the element early."""
    return "<script>" + code.replace("</script", "<\\/script") + "</script>"


def zone_phrase(zone: Zone) -> str:
    why = {
        "--tz": "chosen with --tz",
        "default": "no zone found on this machine; --tz changes it",
    }.get(zone.origin, "this machine's zone; --tz changes it")
    return f"{zone.name} ({why})"


def _number(value: Any) -> str:
    return f"{round(float(value)):,}"


def _day(text: Any, *, weekday: bool = False) -> str:
    day = date.fromisoformat(str(text))
    return day.strftime("%a %-d %b %Y" if weekday else "%-d %b %Y")


def plural(count: int, word: str) -> str:
    """``1 play``, ``2 plays``, with thousands separators."""
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def _days(first: Any, last: Any) -> str:
    return _day(first) if first == last else f"{_day(first)} to {_day(last)}"


def _figure(figure: Figure, data: Mapping[str, Records], spec: Spec | None, zone: str) -> str:
    notes = figure.notes(data) if spec is not None else [figure.empty]
    parts = [
        f'<section class="figure{" half" if figure.half else ""}" id="{figure.key}" '
        f'data-figure="{figure.key}" data-datasets="{" ".join(figure.datasets)}"'
        f"{'' if spec is not None else ' data-empty'}>",
        f"<h2>{escape(figure.title.format(zone=zone))}</h2>",
        "<details><summary>How it is counted</summary>",
        f"<p>{escape(figure.definition.format(zone=zone))}</p></details>",
        *(f'<p class="note">{escape(note)}</p>' for note in notes),
        '<div class="vis"></div>' if spec is not None else "",
        "</section>",
    ]
    return "\n".join(p for p in parts if p)


def _figures(
    figures: Sequence[Figure], data: Mapping[str, Records], specs: Mapping[str, Spec], zone: str
) -> str:
    """Figures in order; consecutive half-width ones share a row."""
    html: list[str] = []
    row: list[str] = []
    for figure in figures:
        block = _figure(figure, data, specs.get(figure.key), zone)
        if figure.half:
            row.append(block)
            if len(row) == 2:
                html.append('<div class="row">' + "\n".join(row) + "</div>")
                row = []
            continue
        if row:
            html.append('<div class="row">' + "\n".join(row) + "</div>")
            row = []
        html.append(block)
    if row:
        html.append('<div class="row">' + "\n".join(row) + "</div>")
    return "\n".join(html)


def _stat(field: str, label: str, value: Any, shown: str, extra: str = "") -> str:
    raw = "" if value is None else escape(str(value))
    extra_html = f'<span class="extra">{escape(extra)}</span>' if extra else ""
    return (
        f'<div class="stat"><dt>{escape(label)}</dt>'
        f'<dd data-field="{field}" data-value="{raw}">{escape(shown)}</dd>{extra_html}</div>'
    )


def year_card_html(card: YearCard | None, zone: str) -> str:
    """The year card (or what to do when there is no play at all)."""
    if card is None:
        return (
            '<section class="card" id="year-card"><h2>Your year</h2>'
            f'<p class="note">{escape(NO_YEAR)}</p></section>'
        )
    others = [y for y in card.years if y != card.year]
    other_line = (
        f'<p class="other-years">Other years: {", ".join(map(str, others))} '
        "(<code>spotify-etl report --year YYYY</code>).</p>"
        if others
        else ""
    )
    head = (
        f'<section class="card" id="year-card" data-year="{card.year}">'
        f"<h2>{card.year} in numbers</h2>"
        "<details><summary>How it is counted</summary><p>"
        + escape(
            f"The plays that count in {card.year} ({zone}), their minutes (sums of ms_played), "
            "distinct artists and tracks (podcasts aside), the day with most plays, and the "
            "longest run of consecutive days with a play within the year. Top 5 by plays, as "
            "in the charts below. Views: year_summary, yearly_top_artists, yearly_top_tracks."
        )
        + "</p></details>"
    )
    s = card.summary
    if s is None:
        return (
            head
            + f'<p class="note">No play that counts in {card.year}.</p>'
            + other_line
            + "</section>"
        )
    unknown = int(str(s["plays_without_minutes"]))
    minutes_extra = (
        f"plus {plural(unknown, 'play')} from recently played, minutes unknown" if unknown else ""
    )
    minutes_shown = _number(s["minutes"]) if s["minutes"] is not None else "unknown"
    if s["minutes"] is None:
        minutes_extra = "recently played does not say how long a play lasted"
    stats = [
        _stat("minutes", "minutes listened", s["minutes"], minutes_shown, minutes_extra),
        _stat("plays", "plays", s["plays"], _number(s["plays"])),
        _stat("distinct_artists", "artists", s["distinct_artists"], _number(s["distinct_artists"])),
        _stat("distinct_tracks", "tracks", s["distinct_tracks"], _number(s["distinct_tracks"])),
        _stat(
            "most_played_day",
            "most-played day",
            s["most_played_day"],
            _day(s["most_played_day"], weekday=True),
            plural(int(str(s["most_played_day_plays"])), "play"),
        ),
        _stat(
            "longest_streak_days",
            "longest daily streak",
            s["longest_streak_days"],
            plural(int(str(s["longest_streak_days"])), "day"),
            _days(s["streak_start"], s["streak_end"]),
        ),
    ]
    tops = "".join(
        f'<div class="top"><h3>Top {kind}</h3><ol data-list="{key}">'
        + "".join(
            f'<li data-rank="{r.rank}" data-plays="{r.plays}"><span class="name">'
            f"{escape(r.name)}</span>"
            + (f'<span class="by"> by {escape(r.detail)}</span>' if r.detail else "")
            + f'<span class="count">{plural(r.plays, "play")}'
            + (f" · {_number(r.minutes)} min" if r.minutes is not None else "")
            + "</span></li>"
            for r in rows
        )
        + "</ol></div>"
        for kind, key, rows in (
            ("artists", "top_artists", card.top_artists),
            ("tracks", "top_tracks", card.top_tracks),
        )
    )
    return (
        head
        + '<dl class="stats">'
        + "".join(stats)
        + "</dl>"
        + f'<div class="tops">{tops}</div>'
        + other_line
        + "</section>"
    )


NO_YEAR = (
    "No play that counts yet: import your data export (spotify-etl import-history) or let the "
    "extractor fetch recently played."
)


def render_page(
    *,
    data: Mapping[str, Records],
    figures: Sequence[Figure],
    specs: Mapping[str, Spec],
    card: YearCard | None,
    facts: PageFacts,
    headline: str,
    vega_script: str,
) -> str:
    """The whole page."""
    zone = facts.zone.name
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="{CSP}">
<title>Your listening: spotify-etl report</title>
<style>{STYLE}</style>
{inline_script(vega_script)}
</head>
<body>
<header>
<h1>Your listening</h1>
<p class="headline">{escape(headline)}</p>
<p class="zone">Times are in <strong>{escape(zone_phrase(facts.zone))}</strong>. Computed on
{escape(facts.engine)} at {facts.generated_at:%Y-%m-%d %H:%M} ({escape(zone)}).</p>
<details class="rule" open><summary>How plays and minutes are counted</summary>
<p>{escape(COUNTING_RULE)}</p></details>
</header>
<main>
{year_card_html(card, zone)}
{_figures(figures, data, specs, zone)}
</main>
<footer>
<p>Drawn offline with Vega-Lite {escape(facts.vega_lite)} (through Altair): every script and
style is in this file, and it requests nothing. The numbers of every chart are in the JSON of
<code>&lt;script id="report-data"&gt;</code>, keyed by data set; each comes from a view you can
query yourself, e.g. <code>spotify-etl query "SELECT * FROM monthly_listening"</code> (Athena
runs the same views).</p>
</footer>
{json_script("report-data", data)}
{json_script("report-specs", specs)}
{inline_script(DRAW)}
</body>
</html>
"""


DRAW = """
(() => {
  const data = JSON.parse(document.getElementById('report-data').textContent);
  const specs = JSON.parse(document.getElementById('report-specs').textContent);
  const figures = [...document.querySelectorAll('[data-figure]')]
    .filter((el) => specs[el.dataset.figure]);
  Promise.allSettled(figures.map((el) => {
    const spec = specs[el.dataset.figure];
    spec.datasets = Object.fromEntries(
      el.dataset.datasets.split(' ').map((key) => [key, data[key]]));
    return vegaEmbed(el.querySelector('.vis'), spec,
                     {actions: false, renderer: 'svg', mode: 'vega-lite'})
      .then(() => { el.dataset.drawn = 'true'; })
      .catch((error) => {
        el.dataset.drawn = 'failed';
        console.error('chart ' + el.dataset.figure + ': ' + error);
      });
  })).then(() => { document.body.dataset.ready = 'true'; });
})();
"""

STYLE = """
:root { color-scheme: light; --ink: #1d2320; --muted: #5b6660; --line: #dfe5e1;
  --accent: #1f7a4d; --paper: #f6f8f7; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--paper); color: var(--ink);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
header, main, footer { max-width: 1240px; margin: 0 auto; padding: 0 24px; }
header { padding-top: 28px; }
h1 { font-size: 30px; margin: 0 0 4px; }
h2 { font-size: 19px; margin: 0 0 6px; }
h3 { font-size: 15px; margin: 0 0 6px; }
.headline { font-size: 17px; margin: 0 0 6px; }
.zone, footer, .other-years { color: var(--muted); font-size: 14px; }
details { margin: 0 0 10px; font-size: 14px; color: var(--muted); }
details summary { cursor: pointer; color: var(--accent); }
details p { margin: 6px 0 0; max-width: 900px; }
.rule { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 10px 14px; }
section { background: #fff; border: 1px solid var(--line); border-radius: 10px;
  padding: 18px 20px; margin: 18px 0; min-width: 0; }
.row { display: grid; grid-template-columns: 1fr 1fr; gap: 18px; margin: 18px 0; }
.row section { margin: 0; }
@media (max-width: 900px) { .row { grid-template-columns: 1fr; } }
.vis { width: 100%; }
.vis.vega-embed { display: flex; flex-direction: column; width: 100%; }
.vis .vega-bindings { order: -1; display: flex; flex-wrap: wrap; gap: 4px 18px;
  margin: 0 0 8px; font-size: 14px; }
.vis .vega-bind-name { margin-right: 4px; color: var(--muted); }
.note { background: #fff7e6; border-left: 3px solid #e0a21e; padding: 6px 10px;
  font-size: 14px; margin: 8px 0; }
.stats { display: grid; grid-template-columns: repeat(auto-fit, minmax(170px, 1fr));
  gap: 12px 20px; margin: 12px 0 16px; }
.stat { border-left: 3px solid var(--accent); padding: 2px 0 2px 10px; }
.stat dt { color: var(--muted); font-size: 13px; }
.stat dd { margin: 0; font-size: 24px; font-weight: 600; line-height: 1.3; }
.stat dd[data-field="most_played_day"] { font-size: 20px; }
.stat .extra { display: block; color: var(--muted); font-size: 13px; }
.tops { display: grid; grid-template-columns: 1fr 1fr; gap: 20px; }
.tops ol { margin: 0; padding-left: 22px; }
.tops li { margin: 2px 0; }
.tops .name { font-weight: 600; }
.tops .by, .tops .count { color: var(--muted); }
.tops .count::before { content: " · "; }
footer { padding-bottom: 32px; }
code { font-size: 13px; }
"""

"""The report page from the data sets' records (pure: the Vega script and the clock passed in)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from spotify_etl.report.figures import FIGURES
from spotify_etl.report.page import PageFacts, plural, render_page
from spotify_etl.report.specs import Records
from spotify_etl.report.year_card import YearCard, choose_year, year_card
from spotify_etl.report.zones import Zone


@dataclass(frozen=True)
class Report:
    html: str
    headline: str
    card: YearCard | None
    charts: int
    """Charts with data (drawn); the others say why they are empty."""


def headline(data: Mapping[str, Records]) -> str:
    """One line: plays that count, the span, hours where minutes are known."""
    years = data["year_summary"]
    months = sorted(str(r["month"]) for r in data["listening_time"])
    if not years or not months:
        return "No play that counts yet."
    plays = sum(int(str(r["plays"])) for r in years)
    minutes = sum(float(str(r["minutes"])) for r in years if r["minutes"] is not None)
    span = f"{months[0][:7]} to {months[-1][:7]}"
    if not minutes:
        listened = "minutes unknown"
    elif minutes < 60:
        listened = f"{plural(round(minutes), 'minute')} listened"
    else:
        listened = f"{plural(round(minutes / 60), 'hour')} listened"
    counts = "counts" if plays == 1 else "count"
    return f"{plural(plays, 'play')} that {counts}, {span}; {listened}."


def build_report(
    data: Mapping[str, Records],
    *,
    zone: Zone,
    year: int | None,
    engine: str,
    generated_at: datetime,
    vega_script: str,
    vega_lite: str,
) -> Report:
    """Specs of the figures with data, the year card, and the page."""
    specs = {f.key: f.build(data) for f in FIGURES if not f.is_empty(data)}
    chosen = choose_year(data["year_summary"], year)
    card = (
        year_card(chosen, data["year_summary"], data["top_artists"], data["top_tracks"])
        if chosen is not None
        else None
    )
    line = headline(data)
    html = render_page(
        data=data,
        figures=FIGURES,
        specs=specs,
        card=card,
        facts=PageFacts(zone, engine, generated_at, vega_lite),
        headline=line,
        vega_script=vega_script,
    )
    return Report(html, line, card, len(specs))

"""The annual-report pack: every section of the dashboard for the filters, on a title page and a contents list,
with its charts (the same inline SVG) and its tables, the comments chosen to quote, and a note about the figures.
The same markup is the HTML page and, through WeasyPrint, the PDF.

A pack is shared outside the service, so it holds figures, never names: a section's own partial is used only
when it is listed in PRINTED_PARTIALS (they show counts, charts and tables alone); any other section, the
timeliness one first (its partial lists the late reviews by child), is printed from its tables, which are its CSV
files' and hold counts only. The feedback partial is shown without its quotes, which have their own part.

As with the letter's PDF (portal.letters.pdf), WeasyPrint fetches nothing: the fetcher refuses every URL, the
stylesheet is a string read from disk, and the fonts are the system's Noto faces.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

from flask import render_template
from flask_babel import format_date, gettext
from markupsafe import Markup

from portal import pdfs
from portal.extensions import db
from portal.insights import suppression
from portal.insights.filters import Filters
from portal.insights.sections import Result, Section, presented, sections
from portal.reviews.models import PN_CODES
from portal.reviews.participation import PN_LABELS
from portal.settings import authority_settings
from portal.staff.models import StaffUser, Team
from portal.timeutil import today

STYLESHEET = Path(__file__).with_name("report.css")
LONG_DATE = "d MMMM y"
# Sections whose dashboard partial prints well and shows no person: figures, charts and tables only.
PRINTED_PARTIALS = frozenset({"booklets", "booklet_answers", "feedback", "participation", "safeguarding"})


@dataclass(frozen=True)
class Part:
    """One section of the pack: its heading, and either its dashboard partial or its tables."""

    section: Section
    result: Result
    partial: bool


@dataclass(frozen=True)
class Quotes:
    label: str
    quotes: list[str]


def period_slug(filters: Filters) -> str:
    """The period in a file name: 2025-26, 2025-26-q2, or 2025-04-01-to-2025-09-30."""
    if filters.custom:
        return f"{filters.first_day.isoformat()}-to-{filters.last_day.isoformat()}"
    return filters.year.label + (f"-q{filters.quarter}" if filters.quarter else "")


def stylesheet_text() -> str:
    return STYLESHEET.read_text(encoding="utf-8")


# The chart's colours as SVG presentation attributes: WeasyPrint draws an inline SVG as an image, which the
# document's stylesheet does not reach (the page's CSP forbids a <style> in it, so attributes it is).
CHART_FILLS = {"portal-chart__track": "#f3f2f1", "portal-chart__bar": "#1d70b8", "portal-chart__label": "#0b0c0c",
               "portal-chart__value": "#0b0c0c"}


def printable_chart(chart: Markup) -> Markup:
    """A chart (portal.insights.charts, whose labels are escaped) with its fills as attributes."""
    text = str(chart)
    for name, colour in CHART_FILLS.items():
        text = text.replace(f'class="{name}"', f'class="{name}" fill="{colour}"')
    return Markup(text)  # the chart's own markup: bar_chart escaped its text


def _printable(result: Result) -> Result:
    """The section's result with its charts coloured for print."""
    context = {key: printable_chart(value) if isinstance(value, Markup) and value.startswith("<svg") else value
               for key, value in result.context.items()}
    return Result(context, result.tables)


def _without_quotes(result: Result) -> Result:
    """The feedback section's result with its quotes taken out (the pack prints them in their own part)."""
    comments = [replace(item, quotes=[]) for item in result.context.get("comments", [])]
    return Result({**result.context, "comments": comments}, result.tables)


def chosen_quotes(result: Result) -> list[Quotes]:
    """The comments marked fit to quote, by group (the all-groups summary repeats them, so it is left out)."""
    return [Quotes(item.label, list(item.quotes)) for item in result.context.get("comments", [])
            if item.group and item.quotes and not item.hidden]


def narrowed_to(filters: Filters) -> dict[str, str]:
    """The team's and the IRO's names when the figures are narrowed to them."""
    found = {}
    if filters.team_id is not None:
        team = db.session.get(Team, filters.team_id)
        found["team"] = team.name if team else ""
    if filters.iro_id is not None:
        iro = db.session.get(StaffUser, filters.iro_id)
        found["iro"] = iro.name if iro else ""
    return found


def report_context(filters: Filters) -> dict:
    """Everything the pack shows, every section computed once."""
    parts, quotes = [], []
    for item in sections():
        result = item.compute(filters)
        if item.key == "feedback":
            quotes = chosen_quotes(result)
            result = _without_quotes(result)
        template, shown = presented(item, result)
        parts.append(Part(item, _printable(shown), item.key in PRINTED_PARTIALS and template == item.template))
    return {"filters": filters, "parts": parts, "quotes": quotes, "authority_name": authority_settings().name,
            "narrowed": narrowed_to(filters), "threshold": suppression.threshold(),
            "pn_labels": [PN_LABELS[code] for code in PN_CODES],
            "first_day": format_date(filters.first_day, LONG_DATE),
            "last_day": format_date(filters.last_day, LONG_DATE),
            "made_on": format_date(today(), LONG_DATE)}


def report_html(filters: Filters, user, *, stylesheet_url: str | None = None) -> str:
    """The pack as a standalone HTML page (linking `stylesheet_url`), or, without it, the PDF's markup.
    `user` is who asked: the filters already hold what they may see (an IRO's are their own reviews)."""
    return render_template("insights/report.html", stylesheet_url=stylesheet_url, is_manager=False,
                           **report_context(filters))


@lru_cache(maxsize=1)
def _base_css():
    return pdfs.stylesheet(stylesheet_text())


def page_css(title: str):
    """The report's title at the foot of every page, and "Page 1 of 9", in the page's language."""
    return pdfs.stylesheet(
        f"@page {{ @bottom-left {{ content: {pdfs.css_string(title)}; }} "
        f"@bottom-right {{ content: {pdfs.page_of_pages()}; }} }} @page :first {{ @bottom-left {{ content: none; }} "
        "@bottom-right { content: none; } }")


def report_pdf(filters: Filters, user) -> bytes:
    """The pack as PDF bytes (A4, a title page, contents with page numbers, page numbers at the foot)."""
    html = report_html(filters, user)
    title = gettext("IRO service annual report: figures for %(period)s", period=filters.label)
    return pdfs.render(html, [_base_css(), page_css(title)])

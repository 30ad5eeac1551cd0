"""How children took part in their reviews, year by year: the DfE's PN codes, as every annual report prints them.

Counted in SQL (GROUP BY reporting year and code, the year worked out by a CASE over the years' bounds as
instants, so a review at 23:30 on 31 March in British Summer Time falls in the year it belongs to), over the
portal's held reviews and the reviews imported from past DfE returns. Imported reviews have no IRO or team, so
they count only when the figures are not narrowed to a team or an IRO. These are the service's own counts:
shown as they are, as the DfE publishes them for councils (no small-number suppression).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask_babel import format_percent
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, func

from portal.extensions import db
from portal.insights.charts import Bar, bar_chart
from portal.insights.filters import Filters
from portal.insights.models import ImportedReview
from portal.insights.sections.base import Result, Section, Table
from portal.reviews.dates import ReportingYear, reporting_year
from portal.reviews.models import PN_CODES, Review
from portal.reviews.participation import PN_LABELS
from portal.staff.models import StaffUser

# Codes of a child who took part (attended, or conveyed their views): PN1 to PN6.
TOOK_PART = ("PN1", "PN2", "PN3", "PN4", "PN5", "PN6")
CHAIRED = ("chaired", "co-chaired")


@dataclass
class YearParticipation:
    """One reporting year's reviews by code."""

    year: ReportingYear
    codes: dict[str, int] = field(default_factory=lambda: dict.fromkeys(PN_CODES, 0))
    chaired: int = 0
    co_chaired: int = 0
    # Held here with no code recorded yet (not in the DfE file, not in the percentages).
    no_code: int = 0
    imported: int = 0

    @property
    def total(self) -> int:
        return sum(self.codes.values())

    def share(self, code: str) -> float | None:
        """A code's share of the year's reviews with a code."""
        return self.codes[code] / self.total if self.total else None

    @property
    def aged_4_or_more(self) -> int:
        return self.total - self.codes["PN0"]

    @property
    def took_part(self) -> int:
        return sum(self.codes[code] for code in TOOK_PART)

    @property
    def took_part_share(self) -> float | None:
        """Children aged 4 or more who took part: PN1-PN6 over every review but PN0's."""
        return self.took_part / self.aged_4_or_more if self.aged_4_or_more else None


def _held_day_bounds(expression, years: list[ReportingYear]):
    """CASE: the first calendar year of the reporting year an instant falls in."""
    return case(*((and_(expression >= year.starts_at(), expression < year.ends_at()), year.first_day.year)
                  for year in years), else_=None)


def by_year(years: list[ReportingYear], *, team_id: int | None = None,
            iro_id: int | None = None) -> list[YearParticipation]:
    """Each year's reviews by PN code (oldest year first): two GROUP BY queries, whatever the number of years."""
    years = sorted(years, key=lambda year: year.first_day)
    result = {year.first_day.year: YearParticipation(year) for year in years}
    if not years:
        return []
    held_at = func.coalesce(Review.held_at, Review.meeting_at)
    year_of = _held_day_bounds(held_at, years).label("year")
    query = (db.select(year_of, Review.participation_code, Review.chairing, func.count(Review.id))
             .where(Review.status == "held", held_at >= years[0].starts_at(), held_at < years[-1].ends_at())
             .group_by(year_of, Review.participation_code, Review.chairing))
    if iro_id is not None:
        query = query.where(Review.iro_id == iro_id)
    if team_id is not None:
        query = query.join(StaffUser, StaffUser.id == Review.iro_id).where(StaffUser.team_id == team_id)
    for year, code, chairing, count in db.session.execute(query):
        entry = result.get(year)
        if entry is None:
            continue
        if code in entry.codes:
            entry.codes[code] += count
        else:
            entry.no_code += count
        if chairing == "chaired":
            entry.chaired += count
        elif chairing == "co-chaired":
            entry.co_chaired += count
    if team_id is None and iro_id is None:
        day_year = case(*((ImportedReview.review_date.between(year.first_day, year.last_day), year.first_day.year)
                          for year in years), else_=None).label("year")
        imported = (db.select(day_year, ImportedReview.review_code, func.count(ImportedReview.id))
                    .where(ImportedReview.review_date.between(years[0].first_day, years[-1].last_day))
                    .group_by(day_year, ImportedReview.review_code))
        for year, code, count in db.session.execute(imported):
            entry = result.get(year)
            if entry is not None and code in entry.codes:
                entry.codes[code] += count
                entry.imported += count
    return list(result.values())


# --- The dashboard's section ---------------------------------------------------------------------

# Years in the year-by-year table, the chosen year last (Leicestershire's report shows seven).
TABLE_YEARS = 7

HEADER = (_l("Reporting year"), *PN_CODES, _l("Reviews with a code"), _l("Aged 4 or more"), _l("Took part (PN1-PN6)"),
          _l("Took part (%)"), _l("Chaired by the child"), _l("Co-chaired by the child"), _l("Held with no code"),
          _l("Imported from DfE returns"))


def table_years(filters: Filters) -> list[ReportingYear]:
    last = filters.year.first_day.year
    return [reporting_year(date(year, 4, 1)) for year in range(last - TABLE_YEARS + 1, last + 1)]


def percent(share: float | None) -> str:
    return "–" if share is None else format_percent(share, "#,##0%")


def compute(filters: Filters) -> Result:
    rows = by_year(table_years(filters), team_id=filters.team_id, iro_id=filters.iro_id)
    bars = [Bar(row.year.label, row.took_part_share, percent(row.took_part_share)) for row in rows]
    chart = bar_chart("chart-took-part", _("Children aged 4 or more who took part in their review"),
                      _("Share of reviews with a code PN1 to PN6, out of all reviews except PN0, by reporting year. "
                        "The figures are in the table below."), bars)
    cells = [(row.year.label, *(row.codes[code] for code in PN_CODES), row.total, row.aged_4_or_more, row.took_part,
              "" if row.took_part_share is None else round(row.took_part_share * 100, 1), row.chaired,
              row.co_chaired, row.no_code, row.imported) for row in rows]
    # PN0-PN7 add up to the reviews with a code; the next three columns and the share are worked out from them.
    table = Table(_l("Reviews by participation code and reporting year"), tuple(str(cell) for cell in HEADER), cells,
                  partitions=((tuple(range(1, 9)), 9),), derived=(10, 11, 12))
    return Result({"rows": rows, "chart": chart, "pn_codes": PN_CODES, "pn_labels": PN_LABELS, "percent": percent},
                  {"by_year": table})


SECTION = Section("participation", _l("How children took part in their reviews"), "insights/_participation.html",
                  compute)

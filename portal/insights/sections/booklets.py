"""The children's booklets: for the reviews whose meeting falls in the period (held or planned; cancelled ones
are left out), how many booklets were invited, opened and returned, the return rate, and the median working
days from the invitation to the meeting, by age band (the child's age on the meeting day) and in total.

Counted in SQL: one GROUP BY age band for the counts, and one GROUP BY (age band, invitation day, meeting day)
for the median, whose rows are distinct pairs of days with how many booklets had them; the working days of
each pair are counted in Python (the bank holidays live in Python) and the median is taken over those
aggregated rows. The age band is worked out in SQL from the meeting's day in England and the date of birth
(YYYYMMDD numbers: the age is the difference's ten-thousands).

Opened and returned count only booklets whose invitation was recorded (by text, email or a printed letter),
so the rate (returned over invited) is never above 100%. These are the service's own counts (no suppression).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import format_percent
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Integer, and_, case, cast, func, literal

from portal.booklet.models import Booklet
from portal.extensions import db
from portal.insights.charts import Bar, bar_chart
from portal.insights.filters import Filters, narrow
from portal.insights.sections.base import Result, Section, Table
from portal.insights.stats import median
from portal.reviews.dates import BankHolidayDataExhausted, working_days_between
from portal.reviews.models import Child, Review

# --- Days in England, in SQL ---------------------------------------------------------------------


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def london_day_number(instant):
    """SQL: the day in England of a stored instant, as a number YYYYMMDD.

    PostgreSQL converts with its time zone data; SQLite (which keeps UTC and knows no zones) adds an hour
    between the last Sundays of March and October at 01:00 UTC (the UK's summer time since 1996)."""
    if _dialect() == "postgresql":
        return cast(func.to_char(func.timezone("Europe/London", instant), "YYYYMMDD"), Integer)
    year = func.strftime("%Y", instant)
    summer = and_(instant >= func.datetime(year.concat("-03-25"), "weekday 0", "+1 hours"),
                  instant < func.datetime(year.concat("-10-25"), "weekday 0", "+1 hours"))
    return cast(func.strftime("%Y%m%d", instant, case((summer, "+1 hours"), else_="+0 hours")), Integer)


def day_number(column):
    """SQL: a date column as a number YYYYMMDD."""
    if _dialect() == "postgresql":
        return cast(func.to_char(column, "YYYYMMDD"), Integer)
    return cast(func.strftime("%Y%m%d", column), Integer)


def as_date(number: int | None) -> date | None:
    """A YYYYMMDD number back to a date."""
    if number is None:
        return None
    number = int(number)
    return date(number // 10000, number // 100 % 100, number % 100)


# Age bands by age on the meeting day: (key, label, youngest age). Under 4: no booklet.
BANDS = (("4-7", _l("4 to 7"), 4), ("8-11", _l("8 to 11"), 8), ("12-17", _l("12 to 17"), 12))
OLDER, YOUNGER = "18+", "under-4"
BAND_LABELS = {key: label for key, label, _youngest in BANDS} | {OLDER: _l("18 or over"),
                                                                   YOUNGER: _l("Under 4")}


def age_band(meeting_day, date_of_birth):
    """SQL: the age band of a child on a day, from YYYYMMDD numbers (age = difference // 10000, so someone
    born on 29 February is a year older on 1 March, as `portal.reviews.dates.age_on` counts)."""
    difference = meeting_day - day_number(date_of_birth)
    return case((difference >= 180000, literal(OLDER)), (difference >= 120000, literal("12-17")),
                (difference >= 80000, literal("8-11")), (difference >= 40000, literal("4-7")),
                else_=literal(YOUNGER))


# --- The figures --------------------------------------------------------------------------------


@dataclass
class BandFigures:
    key: str
    reviews: int = 0
    invited: int = 0
    opened: int = 0
    returned: int = 0
    median_days: float | None = None

    @property
    def label(self):
        return _("Total") if self.key == "total" else BAND_LABELS[self.key]

    @property
    def return_rate(self) -> float | None:
        return self.returned / self.invited if self.invited else None


def figures(filters: Filters) -> list[BandFigures]:
    """4-7, 8-11 and 12-17 (and 18 or over when there is one), then the total; children under 4 have no booklet
    and are left out. Two queries."""
    meeting_day = london_day_number(Review.meeting_at)
    band = age_band(meeting_day, Child.date_of_birth).label("band")
    invited = Booklet.invited_at.isnot(None)
    in_period = and_(Review.status.in_(("planned", "held")), Review.meeting_at >= filters.starts_at,
                     Review.meeting_at < filters.ends_at)
    counts = (db.select(band, func.count(Review.id), func.count(Booklet.invited_at),
                        func.count(case((and_(invited, Booklet.opened_at.isnot(None)), Booklet.id))),
                        func.count(case((and_(invited, Booklet.returned_at.isnot(None)), Booklet.id))))
              .select_from(Review).join(Child, Child.id == Review.child_id)
              .outerjoin(Booklet, Booklet.review_id == Review.id)
              .where(in_period).group_by(band))
    found = {key: BandFigures(key) for key, _label, _youngest in BANDS}
    for key, reviews, invited_count, opened, returned in db.session.execute(narrow(counts, filters, Review.iro_id)):
        entry = found.setdefault(key, BandFigures(key))
        entry.reviews, entry.invited, entry.opened, entry.returned = reviews, invited_count, opened, returned
    invited_day = london_day_number(Booklet.invited_at).label("invited_day")
    pairs = (db.select(band, invited_day, meeting_day.label("meeting_day"), func.count(Booklet.id))
             .select_from(Review).join(Child, Child.id == Review.child_id)
             .join(Booklet, Booklet.review_id == Review.id)
             .where(in_period, invited).group_by(band, invited_day, meeting_day))
    days: dict[str, list[tuple[int, int]]] = {}
    for key, invited_number, meeting_number, count in db.session.execute(narrow(pairs, filters, Review.iro_id)):
        try:
            between = working_days_between(as_date(invited_number), as_date(meeting_number))
        except BankHolidayDataExhausted:
            continue
        days.setdefault(key, []).append((between, count))
    found.pop(YOUNGER, None)  # no booklet under 4: not counted here
    total = BandFigures("total")
    for entry in found.values():
        entry.median_days = median(days.get(entry.key, []))
        total.reviews += entry.reviews
        total.invited += entry.invited
        total.opened += entry.opened
        total.returned += entry.returned
    total.median_days = median([pair for key, values in days.items() if key != YOUNGER for pair in values])
    order = [key for key, _label, _youngest in BANDS] + [OLDER]
    rows = [found[key] for key in order if key in found and (key != OLDER or found[key].reviews)]
    return [*rows, total]


# --- The dashboard's section ---------------------------------------------------------------------

HEADER = (_l("Age on the meeting day"), _l("Reviews (held or planned)"), _l("Booklets invited"), _l("Opened"),
          _l("Returned"), _l("Return rate (%)"), _l("Median working days from invitation to meeting"))


def percent(share: float | None) -> str:
    return "–" if share is None else format_percent(share, "#,##0%")


def days_text(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:g}"


def compute(filters: Filters) -> Result:
    rows = figures(filters)
    bands = rows[:-1]
    chart = bar_chart("chart-booklets-returned", _("Booklets returned, by age"),
                      _("Share of the booklets invited that the child returned, by the child's age on the meeting "
                        "day. The figures are in the table below."),
                      [Bar(str(row.label), row.return_rate, percent(row.return_rate)) for row in rows])
    cells = [(str(row.label), row.reviews, row.invited, row.opened, row.returned,
              "" if row.return_rate is None else round(row.return_rate * 100, 1),
              "" if row.median_days is None else row.median_days) for row in rows]
    # The last row is the total of the age bands; the rate and the median are worked out from the counts.
    table = Table(_l("Booklets by the child's age on the meeting day"), tuple(str(cell) for cell in HEADER), cells,
                  derived=(5, 6), total_row=True)
    return Result({"rows": rows, "bands": bands, "chart": chart, "percent": percent, "days_text": days_text},
                  {"by_age": table})


SECTION = Section("booklets", _l("The children's booklets"), "insights/_booklets.html", compute)

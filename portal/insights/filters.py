"""What the collated views add up: a period (a reporting year, one of its quarters, or dates chosen), and for a
manager a team or an IRO. An IRO's figures are always their own reviews'.

Read from the address (?year=2025&quarter=2, or ?from=2025-04-01&to=2025-09-30, &team=…&iro=…), so a view can be
bookmarked and every CSV link carries the same filters.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from flask import abort
from flask_babel import format_date
from flask_babel import gettext as _

from portal.extensions import db
from portal.reviews.dates import ReportingYear, reporting_year
from portal.security import IRO, MANAGER
from portal.staff.models import StaffUser, Team
from portal.timeutil import LONDON, today

EARLIEST_YEAR = 1990
QUARTERS = (1, 2, 3, 4)  # April-June, July-September, October-December, January-March


@dataclass(frozen=True)
class Filters:
    """A period (first and last day, inclusive, in England), and a team or an IRO (None: the whole service)."""

    first_day: date
    last_day: date
    year: ReportingYear  # the reporting year the period ends in (the year-by-year tables end with it)
    quarter: int | None = None
    custom: bool = False
    team_id: int | None = None
    iro_id: int | None = None

    @property
    def starts_at(self) -> datetime:
        """The first instant of the period."""
        return datetime.combine(self.first_day, time(0), tzinfo=LONDON).astimezone(UTC)

    @property
    def ends_at(self) -> datetime:
        """The first instant after the period."""
        return datetime.combine(self.last_day + timedelta(days=1), time(0), tzinfo=LONDON).astimezone(UTC)

    @property
    def label(self) -> str:
        if self.custom:
            return _("%(first)s to %(last)s", first=format_date(self.first_day, "d MMM y"),
                     last=format_date(self.last_day, "d MMM y"))
        if self.quarter:
            return _("%(year)s, quarter %(quarter)d", year=self.year.label, quarter=self.quarter)
        return self.year.label

    @property
    def narrowed(self) -> bool:
        return self.team_id is not None or self.iro_id is not None

    def args(self) -> dict:
        """The filters as address arguments (for links and CSV downloads)."""
        found: dict = ({"from": self.first_day.isoformat(), "to": self.last_day.isoformat()} if self.custom
                       else {"year": self.year.first_day.year})
        if self.quarter and not self.custom:
            found["quarter"] = self.quarter
        if self.team_id:
            found["team"] = self.team_id
        if self.iro_id:
            found["iro"] = self.iro_id
        return found

    def detail(self) -> str:
        """For the audit: what was looked at."""
        return f"{self.first_day.isoformat()}..{self.last_day.isoformat()} team={self.team_id} iro={self.iro_id}"


def quarter_days(year: ReportingYear, quarter: int) -> tuple[date, date]:
    """The first and last day of a quarter of a reporting year (quarter 1 is April to June)."""
    start_month = (4 + 3 * (quarter - 1) - 1) % 12 + 1
    start_year = year.first_day.year + (1 if quarter == 4 else 0)
    first = date(start_year, start_month, 1)
    following = date(start_year + (start_month + 3 > 12), (start_month + 3 - 1) % 12 + 1, 1)
    return first, following - timedelta(days=1)


def year_number(value) -> int:
    current = reporting_year(today()).first_day.year
    try:
        year = int(value)
    except (TypeError, ValueError):
        return current
    return year if EARLIEST_YEAR <= year <= current else current


def _day(value) -> date | None:
    try:
        return date.fromisoformat(value or "")
    except ValueError:
        return None


def period(args) -> tuple[date, date, ReportingYear, int | None, bool]:
    """(first day, last day, reporting year, quarter, custom) from address arguments."""
    first, last = _day(args.get("from")), _day(args.get("to"))
    if first and last:
        if last < first:
            first, last = last, first
        return first, last, reporting_year(last), None, True
    year = reporting_year(date(year_number(args.get("year")), 4, 1))
    quarter = args.get("quarter", type=int) if hasattr(args, "getlist") else None
    if quarter in QUARTERS:
        first, last = quarter_days(year, quarter)
        return first, last, year, quarter, False
    return year.first_day, year.last_day, year, None, False


def filters_from(args, user) -> Filters:
    """The filters a person asked for. A team or IRO that does not exist is a 404 (never an empty page that
    looks like a real zero); an IRO always sees their own reviews, whatever the address says."""
    first, last, year, quarter, custom = period(args)
    if user.role != MANAGER:
        return Filters(first, last, year, quarter, custom, iro_id=user.id)
    team_id = args.get("team", type=int) or None
    iro_id = args.get("iro", type=int) or None
    if team_id is not None and db.session.get(Team, team_id) is None:
        abort(404)
    if iro_id is not None:
        iro = db.session.get(StaffUser, iro_id)
        if iro is None or iro.role != IRO:
            abort(404)
    return Filters(first, last, year, quarter, custom, team_id, iro_id)


def year_choices(count: int = 8) -> list[int]:
    current = reporting_year(today()).first_day.year
    return list(range(current, current - count, -1))


def narrow(query, filters: Filters, iro_column):
    """Add the team or IRO chosen to a query whose rows belong to the IRO in `iro_column` (a review's IRO)."""
    if filters.iro_id is not None:
        query = query.where(iro_column == filters.iro_id)
    if filters.team_id is not None:
        query = query.where(iro_column.in_(db.select(StaffUser.id).where(StaffUser.team_id == filters.team_id)))
    return query

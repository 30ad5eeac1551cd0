"""Statutory dates for reviews of children in care in England: working days, due dates, ages.

Pure Python on purpose: no Flask, no database, so every rule here can be tested on its own.
`portal.reviews.services` re-exports every name here beside the reviews' write services.

The review timetable comes from regulation 33 of the Care Planning, Placement and Case
Review (England) Regulations 2010 (SI 2010/959). Working days exclude weekends and the
England and Wales bank holidays packaged with govuk-bank-holidays; we never download the
live list, so results cannot change under us between one request and the next.
"""

from __future__ import annotations

import calendar
from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from types import MappingProxyType
from typing import Literal
from zoneinfo import ZoneInfo

from govuk_bank_holidays.bank_holidays import BankHolidays

__all__ = [
    "FIRST_REVIEW_WORKING_DAYS",
    "INVITATION_NOTICE_WORKING_DAYS",
    "RECORD_DUE_WORKING_DAYS",
    "REVIEW_RULES",
    "SECOND_REVIEW_MONTHS",
    "SUBSEQUENT_REVIEW_MONTHS",
    "BankHolidayDataExhausted",
    "ReviewRule",
    "add_months",
    "add_working_days",
    "age_on",
    "bank_holiday_data_range",
    "is_working_day",
    "latest_invitation_date",
    "record_due_date",
    "review_due_date",
    "review_number",
    "subtract_working_days",
    "working_days_between",
]

LONDON = ZoneInfo("Europe/London")

# Reg 33(a): first review within 20 working days of the date the child becomes looked after.
FIRST_REVIEW_WORKING_DAYS = 20
# Reg 33(b): second review not more than three months after the first.
SECOND_REVIEW_MONTHS = 3
# Reg 33(c): thereafter, not more than six months after the previous review.
SUBSEQUENT_REVIEW_MONTHS = 6

# Service standards rather than regulation: defaults for the invitation and record helpers.
INVITATION_NOTICE_WORKING_DAYS = 10
RECORD_DUE_WORKING_DAYS = 20

_REGULATIONS = "Care Planning, Placement and Case Review (England) Regulations 2010"


@dataclass(frozen=True)
class ReviewRule:
    """One step of the statutory review timetable."""

    number: Literal["first", "second", "subsequent"]
    interval: int
    unit: Literal["working_days", "months"]
    measured_from: Literal["came_into_care", "previous_review"]
    regulation: str


REVIEW_RULES: Mapping[str, ReviewRule] = MappingProxyType({
    "first": ReviewRule("first", FIRST_REVIEW_WORKING_DAYS, "working_days", "came_into_care",
                        f"regulation 33(a), {_REGULATIONS}"),
    "second": ReviewRule("second", SECOND_REVIEW_MONTHS, "months", "previous_review",
                         f"regulation 33(b), {_REGULATIONS}"),
    "subsequent": ReviewRule("subsequent", SUBSEQUENT_REVIEW_MONTHS, "months", "previous_review",
                             f"regulation 33(c), {_REGULATIONS}"),
})


class BankHolidayDataExhausted(ValueError):
    """A date lies outside the years covered by the packaged bank-holiday list."""

    def __init__(self, message: str, day: date | None = None) -> None:
        """Keep the offending date so callers can say which one it was."""
        super().__init__(message)
        self.day = day


@dataclass(frozen=True)
class _HolidayData:
    """The packaged holiday list, prepared for fast lookups."""

    holidays: tuple[date, ...]  # sorted, weekdays only
    holiday_set: frozenset[date]
    first_day: date
    last_day: date
    first_listed: date
    last_listed: date


@lru_cache(maxsize=1)
def _holiday_data() -> _HolidayData:
    """Load the packaged England and Wales list once per process."""
    # use_cached_holidays=True reads the JSON shipped inside the package: no network call.
    events = BankHolidays(use_cached_holidays=True).get_holidays(division=BankHolidays.ENGLAND_AND_WALES)
    listed = sorted({event["date"] for event in events})
    if not listed:
        raise BankHolidayDataExhausted("The packaged England and Wales bank holiday list is empty; "
                                       "reinstall govuk-bank-holidays")
    # GOV.UK publishes whole years, so every day of the first and last listed years is covered;
    # beyond them we would silently treat a real bank holiday as a working day.
    weekday_holidays = tuple(d for d in listed if d.weekday() < 5)
    return _HolidayData(
        holidays=weekday_holidays,
        holiday_set=frozenset(weekday_holidays),
        first_day=date(listed[0].year, 1, 1),
        last_day=date(listed[-1].year, 12, 31),
        first_listed=listed[0],
        last_listed=listed[-1],
    )


def bank_holiday_data_range() -> tuple[date, date]:
    """The first and last dates (inclusive) for which working-day answers can be given."""
    data = _holiday_data()
    return data.first_day, data.last_day


def _check_covered(day: date) -> None:
    """Raise BankHolidayDataExhausted unless the day is inside the packaged data's years."""
    data = _holiday_data()
    if day > data.last_day:
        raise BankHolidayDataExhausted(
            f"No bank holiday data for {day.isoformat()}: the packaged England and Wales list ends on "
            f"{data.last_listed.isoformat()}; upgrade govuk-bank-holidays",
            day,
        )
    if day < data.first_day:
        raise BankHolidayDataExhausted(
            f"No bank holiday data for {day.isoformat()}: the packaged England and Wales list starts on "
            f"{data.first_listed.isoformat()}",
            day,
        )


def _as_date(value: date | datetime) -> date:
    """The England calendar date of a date or datetime."""
    # datetime is a subclass of date, so test for it first.
    if isinstance(value, datetime):
        if value.tzinfo is not None and value.utcoffset() is not None:
            # An aware instant belongs to the day it is in London: 23:30 UTC in summer is tomorrow.
            return value.astimezone(LONDON).date()
        # A naive datetime is taken as London wall-clock time already.
        return value.date()
    if isinstance(value, date):
        return value
    raise TypeError(f"Expected a date or datetime, got {type(value).__name__}")


def _check_count(n: int) -> None:
    """Reject negative or non-integer working-day counts."""
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"Working-day count must be an int, got {type(n).__name__}")
    if n < 0:
        raise ValueError(f"Working-day count must not be negative, got {n}")


def is_working_day(d: date | datetime) -> bool:
    """True unless the day is a Saturday, Sunday or England and Wales bank holiday."""
    day = _as_date(d)
    # Checked even for weekends, so that a calculation running past the data always fails loudly.
    _check_covered(day)
    return day.weekday() < 5 and day not in _holiday_data().holiday_set


def add_working_days(start: date | datetime, n: int) -> date:
    """The date n working days after start; with n=0, start itself or else the next working day."""
    # n=0 rolls a non-working start forward, so the result is always a working day. The cost is
    # that for a non-working start, n=0 and n=1 give the same day (the next working day).
    _check_count(n)
    day = _as_date(start)
    if n == 0:
        while not is_working_day(day):
            day += timedelta(days=1)
        return day
    remaining = n
    while remaining:
        day += timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return day


def subtract_working_days(start: date | datetime, n: int) -> date:
    """The date n working days before start; with n=0, start itself or else the previous working day."""
    # Mirror image of add_working_days: the result is always a working day.
    _check_count(n)
    day = _as_date(start)
    if n == 0:
        while not is_working_day(day):
            day -= timedelta(days=1)
        return day
    remaining = n
    while remaining:
        day -= timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return day


def _weekdays_through(ordinal: int) -> int:
    """Count Monday-to-Friday days from 1 Jan year 1 (a Monday) up to and including an ordinal."""
    weeks, rest = divmod(ordinal, 7)
    return weeks * 5 + min(rest, 5)


def _working_days_through(day: date) -> int:
    """Working days from the start of the proleptic calendar up to and including day."""
    return _weekdays_through(day.toordinal()) - bisect_right(_holiday_data().holidays, day)


def working_days_between(a: date | datetime, b: date | datetime) -> int:
    """Working days after a up to and including b; negative when b is before a."""
    start, end = _as_date(a), _as_date(b)
    _check_covered(start)
    _check_covered(end)
    # Counting by arithmetic rather than stepping keeps long spans (years of reviews) cheap.
    return _working_days_through(end) - _working_days_through(start)


def add_months(d: date | datetime, months: int) -> date:
    """The same day of the month `months` later, clamped to the month's last day if it is shorter."""
    # Clamping reads "three months after 31 August" as 30 November, never spilling into December.
    day = _as_date(d)
    index = day.year * 12 + (day.month - 1) + months
    year, month0 = divmod(index, 12)
    month = month0 + 1
    last = calendar.monthrange(year, month)[1]
    return date(year, month, min(day.day, last))


def review_number(reviews_held: int) -> str:
    """Which review comes next: "first", "second" or "subsequent" (reg 33(a), (b), (c))."""
    if isinstance(reviews_held, bool) or not isinstance(reviews_held, int):
        raise TypeError(f"reviews_held must be an int, got {type(reviews_held).__name__}")
    if reviews_held < 0:
        raise ValueError(f"reviews_held must not be negative, got {reviews_held}")
    if reviews_held == 0:
        return "first"
    if reviews_held == 1:
        return "second"
    return "subsequent"


def review_due_date(*, came_into_care: date | datetime, previous_review_held: date | datetime | None,
                    reviews_held: int) -> date:
    """The latest date by which the next review must be held; always a working day."""
    rule = REVIEW_RULES[review_number(reviews_held)]
    if rule.unit == "working_days":
        # Reg 33(a): counted in working days from the day the child became looked after;
        # add_working_days already lands on a working day.
        return add_working_days(came_into_care, rule.interval)
    if previous_review_held is None:
        raise ValueError(f"previous_review_held is required when {reviews_held} review(s) have been held")
    # Reg 33(b) and (c) say "not more than" N months after the previous review, so the date is a
    # deadline: if it lands on a weekend or bank holiday, move earlier, never later.
    calendar_due = add_months(previous_review_held, rule.interval)
    return subtract_working_days(calendar_due, 0)


def latest_invitation_date(meeting: date | datetime, working_days: int = INVITATION_NOTICE_WORKING_DAYS) -> date:
    """The last day invitations can go out and still give `working_days` working days' notice."""
    # Notice counts the sending day but not the meeting day: exactly `working_days` working days
    # fall on or after the result and before the meeting. The result is always a working day.
    return subtract_working_days(_as_date(meeting), working_days)


def record_due_date(held: date | datetime, working_days: int = RECORD_DUE_WORKING_DAYS) -> date:
    """The date the written record of a review held on `held` is due."""
    return add_working_days(_as_date(held), working_days)


def age_on(dob: date | datetime, on: date | datetime) -> int:
    """Age in completed years on a given day; someone born on 29 February ages on 1 March in other years."""
    birth, day = _as_date(dob), _as_date(on)
    if day < birth:
        raise ValueError(f"{day.isoformat()} is before the date of birth {birth.isoformat()}")
    # Comparing (month, day) tuples gives the UK convention for free: in a non-leap year
    # (2, 28) < (2, 29), so the birthday has not yet come; on (3, 1) it has.
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


# --- The reporting year --------------------------------------------------------------------------

@dataclass(frozen=True)
class ReportingYear:
    """An IRO service's year, 1 April to 31 March, as annual reports and the DfE return count it."""

    first_day: date
    last_day: date

    @property
    def label(self) -> str:
        """As reports write it: "2025-26"."""
        return f"{self.first_day.year}-{str(self.last_day.year)[-2:]}"

    def starts_at(self) -> datetime:
        """The instant the year begins: midnight in London on 1 April (23:00 UTC on 31 March, in BST)."""
        return datetime.combine(self.first_day, time(0), tzinfo=LONDON).astimezone(UTC)

    def ends_at(self) -> datetime:
        """The instant the next year begins (the end is excluded)."""
        return reporting_year(self.last_day + timedelta(days=1)).starts_at()

    def holds(self, moment: date | datetime) -> bool:
        return self.first_day <= _as_date(moment) <= self.last_day


def reporting_year(moment: date | datetime) -> ReportingYear:
    """The year (1 April to 31 March) a day, or an instant as London counts it, belongs to."""
    day = _as_date(moment)
    first_year = day.year if (day.month, day.day) >= (4, 1) else day.year - 1
    return ReportingYear(date(first_year, 4, 1), date(first_year + 1, 3, 31))

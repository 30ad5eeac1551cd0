"""Statutory review dates: working days, bank holidays, month ends, leap years and British Summer Time."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from portal.reviews.services import (
    REVIEW_RULES,
    BankHolidayDataExhausted,
    add_months,
    add_working_days,
    age_on,
    is_working_day,
    latest_invitation_date,
    record_due_date,
    review_due_date,
    review_number,
    subtract_working_days,
    working_days_between,
)

LONDON = ZoneInfo("Europe/London")

# database=None: keep hypothesis from writing a .hypothesis folder into the project.
PROPERTY = settings(deadline=None, database=None, max_examples=200)
DATES = st.dates(min_value=date(2020, 1, 1), max_value=date(2028, 10, 31))
# Six months after 30 June 2028 is still inside the packaged data (which runs to the end of 2028).
PREVIOUS_REVIEWS = st.dates(min_value=date(2020, 1, 1), max_value=date(2028, 6, 30))


# --- Working days around Christmas ---------------------------------------------------------

def test_christmas_2026_skips_christmas_day_weekend_and_substitute_boxing_day():
    # 25 Dec 2026 is a Friday; Boxing Day falls on Saturday so Monday 28th is the substitute.
    assert not is_working_day(date(2026, 12, 25))
    assert not is_working_day(date(2026, 12, 28))
    assert add_working_days(date(2026, 12, 24), 1) == date(2026, 12, 29)
    assert subtract_working_days(date(2026, 12, 29), 1) == date(2026, 12, 24)
    assert working_days_between(date(2026, 12, 24), date(2026, 12, 29)) == 1


def test_christmas_2027_has_two_substitute_days_and_new_year_substitute():
    # Christmas Day and Boxing Day 2027 are Saturday and Sunday: Monday 27 and Tuesday 28 are off.
    assert add_working_days(date(2027, 12, 24), 1) == date(2027, 12, 29)
    # New Year's Day 2028 is a Saturday: Monday 3 January is the substitute.
    assert add_working_days(date(2027, 12, 31), 1) == date(2028, 1, 4)


def test_first_review_deadline_over_christmas():
    # Came into care Thursday 10 Dec 2026: 20 working days skips 25 and 28 Dec and 1 Jan.
    due = review_due_date(came_into_care=date(2026, 12, 10), previous_review_held=None, reviews_held=0)
    assert due == date(2027, 1, 12)
    assert working_days_between(date(2026, 12, 10), due) == 20


def test_month_deadline_landing_on_substitute_boxing_day_moves_back_before_christmas():
    # 28 Sep 2026 + 3 months = Mon 28 Dec 2026 (bank holiday); the deadline moves earlier,
    # past the weekend and Christmas Day, to Thursday 24 December.
    due = review_due_date(came_into_care=date(2026, 6, 1), previous_review_held=date(2026, 9, 28),
                          reviews_held=1)
    assert due == date(2026, 12, 24)


# --- Easter 2027 ---------------------------------------------------------------------------

def test_easter_2027():
    assert not is_working_day(date(2027, 3, 26))  # Good Friday
    assert not is_working_day(date(2027, 3, 29))  # Easter Monday
    assert is_working_day(date(2027, 3, 25))
    assert is_working_day(date(2027, 3, 30))
    assert add_working_days(date(2027, 3, 25), 1) == date(2027, 3, 30)
    assert subtract_working_days(date(2027, 3, 30), 1) == date(2027, 3, 25)
    assert working_days_between(date(2027, 3, 25), date(2027, 3, 30)) == 1
    assert working_days_between(date(2027, 3, 30), date(2027, 3, 25)) == -1


def test_deadline_on_good_friday_moves_to_maundy_thursday():
    # 14 Oct 2027 + 6 months = Good Friday 14 April 2028.
    due = review_due_date(came_into_care=date(2027, 1, 4), previous_review_held=date(2027, 10, 14),
                          reviews_held=2)
    assert due == date(2028, 4, 13)


def test_invitations_before_a_meeting_after_easter():
    # Meeting Thursday 1 April 2027: ten working days back skips Easter Monday and Good Friday.
    invite = latest_invitation_date(date(2027, 4, 1))
    assert invite == date(2027, 3, 16)
    assert working_days_between(invite, date(2027, 4, 1)) == 10


def test_invitations_before_a_meeting_on_a_bank_holiday():
    # Meeting on Easter Monday 2027 (not a working day): notice runs Fri 12 to Thu 25 March.
    invite = latest_invitation_date(date(2027, 3, 29))
    assert invite == date(2027, 3, 12)
    assert _notice_days(invite, date(2027, 3, 29)) == 10


# --- n = 0 and the edges of counting -------------------------------------------------------

def test_zero_working_days_rolls_to_a_working_day():
    assert add_working_days(date(2027, 3, 25), 0) == date(2027, 3, 25)
    assert add_working_days(date(2027, 3, 26), 0) == date(2027, 3, 30)  # Good Friday -> Tuesday
    assert subtract_working_days(date(2027, 3, 29), 0) == date(2027, 3, 25)  # Easter Monday -> Thursday


def test_negative_counts_are_rejected():
    with pytest.raises(ValueError):
        add_working_days(date(2027, 3, 25), -1)
    with pytest.raises(ValueError):
        subtract_working_days(date(2027, 3, 25), -1)


# --- Month ends and leap years -------------------------------------------------------------

@pytest.mark.parametrize(("start", "months", "expected"), [
    (date(2027, 8, 31), 3, date(2027, 11, 30)),
    (date(2026, 8, 31), 3, date(2026, 11, 30)),
    (date(2027, 11, 30), 3, date(2028, 2, 29)),  # leap year
    (date(2026, 11, 30), 3, date(2027, 2, 28)),
    (date(2028, 2, 29), 12, date(2029, 2, 28)),
    (date(2027, 8, 31), 6, date(2028, 2, 29)),
    (date(2027, 10, 15), 3, date(2028, 1, 15)),  # across a year end
    (date(2027, 3, 31), -1, date(2027, 2, 28)),
])
def test_add_months_clamps_to_month_end(start, months, expected):
    assert add_months(start, months) == expected


def test_second_review_three_months_after_31_august():
    due = review_due_date(came_into_care=date(2027, 8, 2), previous_review_held=date(2027, 8, 31),
                          reviews_held=1)
    assert due == date(2027, 11, 30)


def test_leap_day_deadline_is_kept():
    # Tuesday 29 Feb 2028 is a working day, so it stands.
    due = review_due_date(came_into_care=date(2027, 8, 2), previous_review_held=date(2027, 11, 30),
                          reviews_held=1)
    assert due == date(2028, 2, 29)


def test_weekend_deadline_moves_earlier_not_later():
    # 31 Aug 2026 + 6 months = Sunday 28 Feb 2027 -> Friday 26 Feb.
    due = review_due_date(came_into_care=date(2026, 1, 5), previous_review_held=date(2026, 8, 31),
                          reviews_held=3)
    assert due == date(2027, 2, 26)


def test_age_with_29_february_birthday():
    dob = date(2012, 2, 29)
    assert age_on(dob, date(2027, 2, 28)) == 14
    assert age_on(dob, date(2027, 3, 1)) == 15  # non-leap year: a year older on 1 March
    assert age_on(dob, date(2028, 2, 28)) == 15
    assert age_on(dob, date(2028, 2, 29)) == 16
    assert age_on(dob, dob) == 0


def test_age_before_birth_is_an_error():
    with pytest.raises(ValueError):
        age_on(date(2020, 5, 1), date(2020, 4, 30))


# --- British Summer Time -------------------------------------------------------------------

def test_night_bst_starts_uses_london_date():
    # BST begins at 01:00 UTC on Sunday 28 March 2027: 00:30 UTC is still 00:30 GMT on the 28th.
    dob = date(2017, 3, 28)
    assert age_on(dob, datetime(2027, 3, 28, 0, 30, tzinfo=UTC)) == 10
    assert age_on(dob, datetime(2027, 3, 27, 23, 30, tzinfo=UTC)) == 9
    # The same instant expressed in London is the same day.
    assert age_on(dob, datetime(2027, 3, 28, 0, 30, tzinfo=UTC).astimezone(LONDON)) == 10


def test_night_bst_ends_uses_london_date():
    # 23:30 UTC on Saturday 30 October 2027 is 00:30 BST on Sunday the 31st in London.
    dob = date(2017, 10, 31)
    assert age_on(dob, datetime(2027, 10, 30, 23, 30, tzinfo=UTC)) == 10
    # A naive datetime is taken at face value.
    assert age_on(dob, datetime(2027, 10, 30, 23, 30)) == 9


def test_summer_evening_utc_meeting_is_next_day_in_london():
    # 23:30 UTC on Tuesday 1 June 2027 is Wednesday 2 June in London; Monday 31 May is a bank holiday.
    meeting = datetime(2027, 6, 1, 23, 30, tzinfo=UTC)
    assert latest_invitation_date(meeting) == date(2027, 5, 18)
    assert latest_invitation_date(meeting.replace(tzinfo=None)) == date(2027, 5, 17)
    assert record_due_date(meeting, 1) == date(2027, 6, 3)


def test_other_timezones_are_converted_to_london():
    # 19:30 in New York on 2 June 2027 is 00:30 BST on 3 June.
    held = datetime(2027, 6, 2, 19, 30, tzinfo=ZoneInfo("America/New_York"))
    assert record_due_date(held, 1) == date(2027, 6, 4)


# --- Running out of bank-holiday data ------------------------------------------------------

def test_last_days_of_the_data_still_work():
    assert not is_working_day(date(2028, 12, 26))
    assert is_working_day(date(2028, 12, 29))
    assert not is_working_day(date(2028, 12, 31))


def test_date_past_the_data_raises_naming_the_date():
    with pytest.raises(BankHolidayDataExhausted, match="2029-01-02") as caught:
        is_working_day(date(2029, 1, 2))
    message = str(caught.value)
    assert "2028-12-26" in message
    assert "upgrade govuk-bank-holidays" in message
    assert caught.value.day == date(2029, 1, 2)
    assert isinstance(caught.value, ValueError)


def test_counting_past_the_data_raises():
    with pytest.raises(BankHolidayDataExhausted, match="2029-01-01"):
        add_working_days(date(2028, 12, 29), 1)
    with pytest.raises(BankHolidayDataExhausted, match="2029-01-05"):
        working_days_between(date(2028, 12, 1), date(2029, 1, 5))
    with pytest.raises(BankHolidayDataExhausted, match="2029-02-01"):
        review_due_date(came_into_care=date(2027, 1, 4), previous_review_held=date(2028, 8, 1),
                        reviews_held=4)


def test_date_before_the_data_raises():
    with pytest.raises(BankHolidayDataExhausted, match="2011-12-30"):
        is_working_day(date(2011, 12, 30))


# --- Rules and labels ----------------------------------------------------------------------

def test_review_numbers_and_rules():
    assert [review_number(n) for n in range(5)] == ["first", "second", "subsequent", "subsequent",
                                                   "subsequent"]
    with pytest.raises(ValueError):
        review_number(-1)
    assert (REVIEW_RULES["first"].interval, REVIEW_RULES["first"].unit) == (20, "working_days")
    assert (REVIEW_RULES["second"].interval, REVIEW_RULES["second"].unit) == (3, "months")
    assert (REVIEW_RULES["subsequent"].interval, REVIEW_RULES["subsequent"].unit) == (6, "months")
    assert "33(a)" in REVIEW_RULES["first"].regulation


def test_later_reviews_need_the_previous_review_date():
    with pytest.raises(ValueError):
        review_due_date(came_into_care=date(2027, 1, 4), previous_review_held=None, reviews_held=1)


# --- Properties ----------------------------------------------------------------------------

def _next_working_day(d: date) -> date:
    return add_working_days(d, 0)


def _notice_days(invite: date, meeting: date) -> int:
    """Working days on or after the invitation day and before the meeting day."""
    return working_days_between(invite - timedelta(days=1), meeting - timedelta(days=1))


@PROPERTY
@given(came_into_care=DATES, previous=PREVIOUS_REVIEWS, reviews_held=st.integers(0, 8))
def test_due_date_is_never_a_weekend_or_bank_holiday(came_into_care, previous, reviews_held):
    due = review_due_date(came_into_care=came_into_care,
                          previous_review_held=previous if reviews_held else None,
                          reviews_held=reviews_held)
    assert due.weekday() < 5
    assert is_working_day(due)
    if reviews_held:
        months = 3 if reviews_held == 1 else 6
        calendar_due = add_months(previous, months)
        # Never late, and moved back no further than the nearest working day.
        assert due <= calendar_due
        assert working_days_between(due, calendar_due) == 0


@PROPERTY
@given(previous=st.dates(min_value=date(2028, 1, 1), max_value=date(2028, 10, 31)),
       reviews_held=st.integers(1, 3))
def test_due_date_raises_only_when_it_runs_past_the_data(previous, reviews_held):
    calendar_due = add_months(previous, 3 if reviews_held == 1 else 6)
    if calendar_due > date(2028, 12, 31):
        with pytest.raises(BankHolidayDataExhausted):
            review_due_date(came_into_care=date(2027, 1, 4), previous_review_held=previous,
                            reviews_held=reviews_held)
    else:
        due = review_due_date(came_into_care=date(2027, 1, 4), previous_review_held=previous,
                              reviews_held=reviews_held)
        assert is_working_day(due)


@PROPERTY
@given(start=DATES, n=st.integers(0, 30))
def test_add_then_count_round_trips(start, n):
    d = _next_working_day(start)
    later = add_working_days(d, n)
    assert working_days_between(d, later) == n
    assert working_days_between(later, d) == -n
    assert subtract_working_days(later, n) == d
    assert is_working_day(later)


@PROPERTY
@given(a=DATES, span=st.integers(0, 400))
def test_count_matches_stepping_day_by_day(a, span):
    b = a + timedelta(days=span)
    assume(b <= date(2028, 12, 31))
    stepped = sum(is_working_day(a + timedelta(days=k)) for k in range(1, span + 1))
    assert working_days_between(a, b) == stepped


@PROPERTY
@given(meeting=DATES, n=st.integers(0, 30))
def test_latest_invitation_date_leaves_at_least_n_working_days(meeting, n):
    invite = latest_invitation_date(meeting, n)
    assert is_working_day(invite)
    assert invite <= meeting
    assert _notice_days(invite, meeting) >= n
    if n:
        assert invite < meeting
        assert _notice_days(invite, meeting) == n
        # It really is the latest: sending on the next working day would leave too little notice.
        assert _notice_days(add_working_days(invite, 1), meeting) < n
        if is_working_day(meeting):
            assert working_days_between(invite, meeting) == n


@PROPERTY
@given(held=DATES, n=st.integers(0, 30))
def test_record_due_date_is_n_working_days_after_a_working_day(held, n):
    d = _next_working_day(held)
    assert record_due_date(d, n) == add_working_days(d, n)
    assert working_days_between(d, record_due_date(d, n)) == n

"""The reviews area's rules as plain functions: statutory dates, and every write to children and reviews.

The statutory dates live in `portal.reviews.dates` (pure Python, no Flask) and are re-exported here.
The write services change the records and add their audit event to the same transaction; the
caller commits. Each refuses what the rules do not allow with a `ReviewsError` (a `ValueError`), so
a form can say what is wrong in words and a test can call them directly.
"""

from __future__ import annotations

from datetime import date, datetime

from portal.audit import record_event
from portal.extensions import db
from portal.reviews import hooks, workspace
from portal.reviews.dates import (
    FIRST_REVIEW_WORKING_DAYS,
    INVITATION_NOTICE_WORKING_DAYS,
    RECORD_DUE_WORKING_DAYS,
    REVIEW_RULES,
    SECOND_REVIEW_MONTHS,
    SUBSEQUENT_REVIEW_MONTHS,
    BankHolidayDataExhausted,
    ReviewRule,
    add_months,
    add_working_days,
    age_on,
    bank_holiday_data_range,
    is_working_day,
    latest_invitation_date,
    record_due_date,
    review_due_date,
    review_number,
    subtract_working_days,
    working_days_between,
)
from portal.reviews.models import CHAIRING, PN_CODES, Child, Review
from portal.staff.models import StaffUser
from portal.timeutil import london_date, today

__all__ = [
    # Statutory dates (portal.reviews.dates)
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
    # Writes
    "NotAnIro",
    "ReviewNotHeld",
    "ReviewsError",
    "active_iros",
    "add_child",
    "plan_review",
    "record_cancelled",
    "record_held",
    "record_participation",
]


class ReviewsError(ValueError):
    """A change to a child or a review that the rules refuse."""


class NotAnIro(ReviewsError):
    """A child's IRO must be an active Independent Reviewing Officer."""


class ReviewNotHeld(ReviewsError):
    """How the child took part is recorded only once the review has been held."""


def active_iros() -> list[StaffUser]:
    """The IROs a child can be given to, by name."""
    return list(db.session.scalars(db.select(StaffUser).filter_by(role="iro", active=True).order_by(StaffUser.name)))


def _aware(value: datetime, what: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{what} must carry a time zone")
    return value


def add_child(*, iro: StaffUser | None, preferred_name: str, date_of_birth: date, came_into_care: date,
              first_name: str | None = None, pronouns: str = "", preferred_language: str = "en",
              words_to_use: str = "", case_reference: str | None = None) -> Child:
    """A child in care with their IRO: no surname and no address, by design."""
    if iro is None or iro.role != "iro" or not iro.active:
        raise NotAnIro("Choose an active Independent Reviewing Officer")
    name = (preferred_name or "").strip()
    if not name:
        raise ReviewsError("A child needs the name they like to be called")
    if came_into_care < date_of_birth:
        raise ReviewsError("A child cannot come into care before they are born")
    child = Child(preferred_name=name, first_name=(first_name or "").strip() or None,
                  date_of_birth=date_of_birth, came_into_care=came_into_care, pronouns=(pronouns or "").strip(),
                  preferred_language=preferred_language or "en", words_to_use=(words_to_use or "").strip(),
                  case_reference=(case_reference or "").strip() or None, iro_id=iro.id)
    db.session.add(child)
    db.session.flush()
    record_event("child_added", "child", child.id)
    return child


def plan_review(child: Child, meeting_at: datetime, place: str = "") -> Review:
    """The child's next review, numbered first, second or later from the reviews held so far.

    A day after the reg 33 due date is allowed (see `workspace.lateness`); a day past the packaged
    bank holiday list is not, because nobody could then say when the invitation must go: that
    raises `BankHolidayDataExhausted`.
    """
    _aware(meeting_at, "The meeting time")
    # Also checks the day is inside the bank holiday data the invite-by date is counted from.
    is_working_day(london_date(meeting_at))
    # Count the reviews held as stored, not as a collection loaded earlier in this session.
    db.session.flush()
    db.session.expire(child, ["reviews"])
    number = workspace.next_review_number(child)
    review = Review(child=child, iro_id=child.iro_id, meeting_at=meeting_at, place=(place or "").strip(),
                    number=number, status="planned")
    db.session.add(review)
    db.session.flush()
    record_event("review_planned", "review", review.id, detail=number)
    return review


def _check_participation(code: str | None, chairing: str | None) -> None:
    if code is not None and code not in PN_CODES:
        raise ReviewsError(f"Unknown participation code {code!r}")
    if chairing is not None and chairing not in CHAIRING:
        raise ReviewsError(f"Unknown chairing {chairing!r}")


def record_held(review: Review, held_at: datetime, participation_code: str | None = None,
                chairing: str | None = None) -> None:
    """The review took place at `held_at`; with a PN code or chairing, that is recorded too."""
    _aware(held_at, "The time it was held")
    if london_date(held_at) > today():
        raise ReviewsError("A review cannot be recorded as held on a day still to come")
    _check_participation(participation_code, chairing)
    review.status = "held"
    review.held_at = held_at
    review.cancelled_reason = ""
    record_event("review_held", "review", review.id, detail=participation_code or "")
    if participation_code is not None or chairing is not None:
        record_participation(review, participation_code, chairing)
    hooks.review_finished(review)


def record_cancelled(review: Review, reason: str) -> None:
    """The review did not take place, and why."""
    reason = (reason or "").strip()
    if not reason:
        raise ReviewsError("Say why the review was cancelled")
    review.status = "cancelled"
    review.held_at = None
    review.cancelled_reason = reason
    record_event("review_cancelled", "review", review.id)
    hooks.review_finished(review)


def record_participation(review: Review, code: str | None, chairing: str | None) -> None:
    """How the child took part (a DfE PN code) and who chaired: the one way either is recorded."""
    if review.status != "held":
        raise ReviewNotHeld("Record how the child took part once the review has been held")
    _check_participation(code, chairing)
    review.participation_code = code
    review.chairing = chairing
    record_event("participation_recorded", "review", review.id, detail=f"{code or ''}:{chairing or ''}")

"""The IRO workspace as plain functions: one row per child, next review, days left, invite-by dates,
and whether a review was planned after its reg 33 due date."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

from flask_babel import format_date, ngettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select
from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.reviews.dates import (
    FIRST_REVIEW_WORKING_DAYS,
    SECOND_REVIEW_MONTHS,
    SUBSEQUENT_REVIEW_MONTHS,
    BankHolidayDataExhausted,
    age_on,
    latest_invitation_date,
    review_due_date,
    review_number,
)
from portal.reviews.models import Child, Review
from portal.security import MANAGER, visible_children
from portal.staff.models import StaffUser, Team
from portal.timeutil import LONDON, as_utc, london_date, today

LONG_DATE = "d MMMM y"

NUMBER_LABELS = {"first": _l("First"), "second": _l("Second"), "subsequent": _l("Later")}

STATUS_LABELS = {"planned": _l("Planned"), "held": _l("Held"), "cancelled": _l("Cancelled")}

# Why the due date is what it is (reg 33 of the Care Planning, Placement and Case Review Regulations 2010).
DUE_RULE_TEXT = {
    "first": _l("first review: within %(days)d working days of coming into care, reg 33",
                days=FIRST_REVIEW_WORKING_DAYS),
    "second": _l("second review: within %(months)d months of the first, reg 33", months=SECOND_REVIEW_MONTHS),
    "subsequent": _l("later reviews: within %(months)d months of the last one, reg 33",
                     months=SUBSEQUENT_REVIEW_MONTHS),
}


def meeting_date(review: Review) -> date:
    """The day of the meeting in England."""
    return london_date(review.meeting_at)


def held_date(review: Review) -> date:
    """The day a held review took place (the meeting day if no held time was recorded)."""
    return london_date(review.held_at or review.meeting_at)


def held_reviews(child: Child) -> list[Review]:
    """The child's held reviews, oldest first."""
    return sorted((r for r in child.reviews if r.status == "held"), key=held_date)


def planned_reviews(child: Child) -> list[Review]:
    """The child's planned reviews, soonest first."""
    return sorted((r for r in child.reviews if r.status == "planned"), key=lambda r: as_utc(r.meeting_at))


def next_planned_review(child: Child) -> Review | None:
    """The soonest planned review, even if its day has passed and nobody recorded it."""
    planned = planned_reviews(child)
    return planned[0] if planned else None


def next_review_number(child: Child) -> str:
    """'first', 'second' or 'subsequent', from the reviews held so far."""
    return review_number(len(held_reviews(child)))


def _due_after(child: Child, held: list[Review]) -> date | None:
    """The reg 33 due date of the review that follows these held reviews (oldest first)."""
    try:
        return review_due_date(came_into_care=child.came_into_care,
                               previous_review_held=held_date(held[-1]) if held else None,
                               reviews_held=len(held))
    except BankHolidayDataExhausted:
        return None


def due_date(child: Child) -> date | None:
    """The latest day the next review may be held; None past the bank holiday data."""
    return _due_after(child, held_reviews(child))


def review_day(review: Review) -> date:
    """The day that counts for a review: the day it was held, else the day it is planned for."""
    return held_date(review) if review.status == "held" else meeting_date(review)


def review_due(review: Review, child: Child | None = None) -> date | None:
    """The reg 33 due date of this review, from the child's reviews held before it."""
    child = child or review.child
    day = review_day(review)
    earlier = [r for r in held_reviews(child) if r is not review and held_date(r) <= day]
    return _due_after(child, earlier)


@dataclass(frozen=True)
class Lateness:
    """A review planned (or held) after its reg 33 due date, by so many calendar days."""

    due: date
    days: int

    @property
    def text(self) -> str:
        """'Due by 14 March 2026: 9 days late', in the reader's language."""
        return ngettext("Due by %(date)s: %(num)d day late", "Due by %(date)s: %(num)d days late", self.days,
                        date=format_date(self.due, LONG_DATE))

    def __str__(self) -> str:
        return self.text


def late_by(day: date, due: date | None) -> Lateness | None:
    """The rule: a review on a day after its due date is late by the calendar days between them."""
    if due is None or day <= due:
        return None
    return Lateness(due=due, days=(day - due).days)


def lateness(item: Review | ChildRow | None) -> Lateness | None:
    """Whether a review (or a list row's next review) is after its due date; None for cancelled ones."""
    if isinstance(item, ChildRow):
        review, child = item.review, item.child
    else:
        review, child = item, item.child if item is not None else None
    if review is None or review.status == "cancelled":
        return None
    return late_by(review_day(review), review_due(review, child))


def planning_lateness(child: Child, day: date) -> Lateness | None:
    """Whether planning the child's next review for this day would be after its due date."""
    return late_by(day, due_date(child))


def days_left(review: Review, on: date | None = None) -> int:
    """Calendar days from `on` (today) to the meeting; negative once it has passed."""
    return (meeting_date(review) - (on or today())).days


def invite_by(review: Review, working_days: int) -> date | None:
    """The last day the invitation can go out with enough notice; None past the bank holiday data."""
    try:
        return latest_invitation_date(meeting_date(review), working_days)
    except BankHolidayDataExhausted:
        return None


def invitation_late(invite_by_date: date | None, sent: bool | date | None, on: date | None = None) -> bool:
    """The one rule for a late invitation: sent after the invite-by date, or not sent and that day has
    passed. `sent` is the day it went (or just whether it went, when the day does not matter)."""
    if invite_by_date is None:
        return False
    if isinstance(sent, date):
        return sent > invite_by_date
    return not sent and (on or today()) > invite_by_date


def london_meeting(day: date, at: time) -> datetime:
    """A wall-clock time in England as an aware UTC datetime, as stored (SQLite keeps no offset)."""
    return datetime.combine(day, at, tzinfo=LONDON).astimezone(UTC)


@dataclass
class ChildRow:
    """What the 'My children' table shows for one child."""

    child: Child
    age: int
    review: Review | None
    days_left: int | None
    number: str
    invite_by: date | None
    invitation_sent: bool
    late: bool
    due_date: date | None
    overdue: bool

    @property
    def sort_date(self) -> date:
        """The planned meeting day, or the due day when nothing is planned (so gaps show early)."""
        if self.review is not None:
            return meeting_date(self.review)
        return self.due_date or date.max


def child_row(child: Child, *, working_days: int, on: date | None = None) -> ChildRow:
    """One row: next planned review, days left, invite-by date and whether anything is late."""
    on = on or today()
    review = next_planned_review(child)
    due = due_date(child)
    invite_day = invite_by(review, working_days) if review else None
    sent = bool(review and review.booklet and review.booklet.invited_at)
    return ChildRow(
        child=child,
        age=age_on(child.date_of_birth, on) if on >= child.date_of_birth else 0,
        review=review,
        days_left=days_left(review, on) if review else None,
        number=review.number if review else next_review_number(child),
        invite_by=invite_day,
        invitation_sent=sent,
        late=invitation_late(invite_day, sent, on) if review else False,
        due_date=due,
        overdue=review is None and due is not None and on > due,
    )


def child_rows(children: list[Child], *, working_days: int, on: date | None = None) -> list[ChildRow]:
    """Rows for these children, soonest review (or due date) first."""
    rows = [child_row(c, working_days=working_days, on=on) for c in children]
    return sorted(rows, key=lambda row: (row.sort_date, row.child.preferred_name.lower(), row.child.id))


def _with_reviews(query: Select) -> Select:
    # The lists show every child's reviews and booklets: load them in three queries, not one per row.
    return query.options(selectinload(Child.reviews).selectinload(Review.booklet))


def children_for(user: StaffUser) -> list[Child]:
    """'My children': the children this person may see; for a manager, narrowed to their own team's IROs.

    Access is `security.visible_children` (a manager may see every child); keeping a manager's page
    to their team is only what this page shows, and the service list shows every team.
    """
    query = visible_children(_with_reviews(db.select(Child)), user)
    if user.role == MANAGER:
        if user.team_id is None:
            return []
        team_iros = db.select(StaffUser.id).where(StaffUser.team_id == user.team_id)
        query = query.where(Child.iro_id.in_(team_iros))
    return list(db.session.scalars(query))


@dataclass
class IroGroup:
    iro: StaffUser
    rows: list[ChildRow]

    @property
    def planned(self) -> int:
        return sum(1 for row in self.rows if row.review is not None)

    @property
    def late(self) -> int:
        return sum(1 for row in self.rows if row.late)

    @property
    def overdue(self) -> int:
        return sum(1 for row in self.rows if row.overdue)

    @property
    def planned_late(self) -> int:
        return sum(1 for row in self.rows if lateness(row) is not None)


@dataclass
class TeamGroup:
    team: Team | None
    iros: list[IroGroup] = field(default_factory=list)

    @property
    def planned(self) -> int:
        return sum(group.planned for group in self.iros)

    @property
    def late(self) -> int:
        return sum(group.late for group in self.iros)

    @property
    def overdue(self) -> int:
        return sum(group.overdue for group in self.iros)

    @property
    def planned_late(self) -> int:
        return sum(group.planned_late for group in self.iros)


def service_groups(*, working_days: int, team_id: int | None = None, on: date | None = None,
                   user: StaffUser | None = None) -> list[TeamGroup]:
    """Every child the person (signed in by default) may see, grouped by team and then IRO, with counts."""
    query = visible_children(_with_reviews(db.select(Child).join(StaffUser, Child.iro_id == StaffUser.id)), user)
    if team_id is not None:
        query = query.where(StaffUser.team_id == team_id)
    children = list(db.session.scalars(query))
    rows = child_rows(children, working_days=working_days, on=on)
    by_iro: dict[int, IroGroup] = {}
    for row in rows:
        iro = row.child.iro
        by_iro.setdefault(iro.id, IroGroup(iro=iro, rows=[])).rows.append(row)
    by_team: dict[int | None, TeamGroup] = {}
    for group in sorted(by_iro.values(), key=lambda g: g.iro.name.lower()):
        by_team.setdefault(group.iro.team_id, TeamGroup(team=group.iro.team)).iros.append(group)
    # Named teams in name order; IROs without a team last.
    return sorted(by_team.values(), key=lambda t: (t.team is None, t.team.name.lower() if t.team else ""))

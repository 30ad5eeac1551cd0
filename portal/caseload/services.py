"""The caseload: one row per child with everything that needs doing, for an IRO, a team or the service.

A reading layer over every area (like the collated views): it asks the reviews area for the statutory
dates (reg 33 due dates, invite-by dates), the booklet area for the booklet's status, safeguarding for
unread messages and open urgent concerns, letters for the letter's due day and feedback for the
invitations still to send. Nothing imports it.

`build_rows` loads any number of children in six SELECTs whatever their number (children with their next
planned review and its booklet, held reviews, unread messages, open concerns, issued letters, feedback
invitations): bare column rows, no ORM objects, no query per child, and the slow date rules worked out once per
distinct day (a letter's due day only where no letter is issued), so a manager's view of 2,000 children stays
one quick page (benchmarks/caseload.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import DateTime, Select, func, type_coerce

from portal.booklet.models import Booklet
from portal.booklet.status import STATUSES as BOOKLET_STATUSES
from portal.booklet.status import booklet_status
from portal.extensions import db
from portal.feedback.invitations import AUDIENCES as FEEDBACK_GROUPS
from portal.feedback.models import FeedbackInvitation
from portal.letters.models import ISSUED, Letter, LetterVersion
from portal.letters.services import DUE_SOON, LATE
from portal.letters.status import RECENT_DAYS, state_on
from portal.reviews.dates import (
    BankHolidayDataExhausted,
    age_on,
    latest_invitation_date,
    record_due_date,
    review_due_date,
    review_number,
)
from portal.reviews.models import Child, Review
from portal.reviews.workspace import invitation_late, late_by
from portal.safeguarding.models import ChildMessage, UrgentConcern
from portal.security import MANAGER, visible_children
from portal.staff.models import StaffUser
from portal.timeutil import LONDON, london_date

# After a review is held, its feedback invitations are asked for within this many days.
FEEDBACK_DAYS = 28
# The Today list shows at most this many items; the rest are one filter away ("Needs action").
TODAY_LIMIT = 10
# The manager's table of children, so many to a page.
PAGE_SIZE = 50

SHOW_CHOICES = {
    "all": _l("All children"),
    "action": _l("Needs action"),
    "overdue": _l("Review overdue or planned late"),
    "week": _l("Review in the next 7 days"),
    "month": _l("Review in the next 4 weeks"),
}
# Age bands: (label, lowest age, highest age) on today's date; the booklet's versions start at 4.
AGE_BANDS = {
    "all": (_l("Any age"), 0, 200),
    "0-3": (_l("0 to 3"), 0, 3),
    "4-7": (_l("4 to 7"), 4, 7),
    "8-11": (_l("8 to 11"), 8, 11),
    "12-15": (_l("12 to 15"), 12, 15),
    "16+": (_l("16 and over"), 16, 200),
}
SORT_LABELS = {
    "name": _l("Child"),
    "age": _l("Age"),
    "next_review": _l("Next review"),
    "due": _l("Reg 33 due"),
    "invite_by": _l("Invite by"),
    "booklet": _l("Booklet"),
    "messages": _l("Unread messages"),
    "concerns": _l("Urgent concerns"),
    "letter": _l("Letter"),
    "feedback": _l("Feedback to ask"),
}
DIRECTIONS = ("asc", "desc")

# Today's kinds, most urgent first.
CONCERN, MESSAGE, INVITATION, OVERDUE, LETTER_LATE, LETTER_DUE, PLANNED_LATE, FEEDBACK = (
    "concern", "message", "invitation", "overdue", "letter_late", "letter_due", "planned_late", "feedback")
TODAY_ORDER = (CONCERN, MESSAGE, INVITATION, OVERDUE, LETTER_LATE, LETTER_DUE, PLANNED_LATE, FEEDBACK)


# --- Plain records (the booklet status rule reads a review by attribute) ----------------------------------

@dataclass
class _BookletDates:
    """Whether each of the booklet's days has happened (the status rule asks no more)."""

    invited_at: bool
    opened_at: bool
    started_at: bool
    returned_at: bool
    withdrawn_at: bool


@dataclass(eq=False)
class _Born:
    date_of_birth: date


@dataclass(eq=False)
class _Planned:
    """A child's next planned review (the earliest), as the booklet status rule reads it."""

    id: int
    number: str
    meeting_at: datetime
    child: _Born
    booklet: _BookletDates | None


class _Dates:
    """The statutory dates of the reviews area (reg 33 due dates, invite-by dates, the letter's due day),
    worked out once per distinct day: many children share days, and counting working days is the slow part.
    None where the bank holiday list runs out, as on the other pages."""

    def __init__(self, working_days: int, record_days: int) -> None:
        self.working_days, self.record_days = working_days, record_days
        self._memo: dict[tuple, date | None] = {}

    def _once(self, key: tuple, work) -> date | None:
        if key not in self._memo:
            try:
                self._memo[key] = work()
            except BankHolidayDataExhausted:
                self._memo[key] = None
        return self._memo[key]

    def review_due(self, came_into_care: date, previous: date | None, held: int) -> date | None:
        """The reg 33 due date of the review that follows `held` held reviews, the latest on `previous`."""
        count = min(held, 2)  # the rule is the same from the second held review on
        return self._once(("due", came_into_care if not held else None, previous, count),
                          lambda: review_due_date(came_into_care=came_into_care, previous_review_held=previous,
                                                  reviews_held=held))

    def invite_by(self, meeting: date) -> date | None:
        return self._once(("invite", meeting), lambda: latest_invitation_date(meeting, self.working_days))

    def letter_due(self, held: date) -> date | None:
        return self._once(("letter", held), lambda: record_due_date(held, self.record_days))


# --- The row -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class TodayItem:
    """One thing to do, with the endpoint (and its values, and an anchor) of the page where it is done."""

    kind: str
    row: CaseRow
    endpoint: str
    values: dict
    anchor: str = ""
    when: date | None = None
    count: int = 1

    @property
    def rank(self) -> tuple:
        return (TODAY_ORDER.index(self.kind), self.when or date.min, self.row.name.lower(), self.row.child_id)


@dataclass
class CaseRow:
    """What the caseload shows for one child."""

    child_id: int
    name: str
    first_name: str | None
    case_reference: str | None
    age: int
    iro_id: int
    iro_name: str
    number: str
    review_id: int | None = None
    next_review: date | None = None
    days_left: int | None = None
    due: date | None = None
    overdue: bool = False
    planned_late_days: int | None = None
    invite_by: date | None = None
    invitation_sent: bool = False
    invitation_late: bool = False
    booklet: str = "none"
    unread: int = 0
    unread_review_id: int | None = None
    concerns: int = 0
    concern_id: int | None = None
    letter_state: str | None = None
    letter_due: date | None = None
    letter_review_id: int | None = None
    feedback_to_ask: int = 0
    feedback_review_id: int | None = None
    on: date = date.min

    @property
    def planned_late(self) -> bool:
        return self.planned_late_days is not None

    @property
    def invitation_due(self) -> bool:
        """The booklet invitation should go today or should have gone already, and has not."""
        return (self.review_id is not None and self.booklet != "none" and not self.invitation_sent
                and self.invite_by is not None and self.invite_by <= self.on)

    @property
    def letter_needs_action(self) -> bool:
        return self.letter_state in (LATE, DUE_SOON)

    @property
    def today(self) -> list[TodayItem]:
        """Everything to do for this child, as items for the Today list."""
        items: list[TodayItem] = []
        if self.concerns:
            items.append(TodayItem(CONCERN, self, "safeguarding_staff.urgent_list", {},
                                   f"#child-{self.concern_id}", count=self.concerns))
        if self.unread:
            items.append(TodayItem(MESSAGE, self, "booklet_staff.read", {"review_id": self.unread_review_id},
                                   "#messages-heading", count=self.unread))
        if self.invitation_due:
            items.append(TodayItem(INVITATION, self, "booklet_staff.send", {"review_id": self.review_id},
                                   when=self.invite_by))
        if self.overdue:
            items.append(self._review_item(OVERDUE))
        if self.letter_needs_action:
            items.append(TodayItem(LETTER_LATE if self.letter_state == LATE else LETTER_DUE, self, "letters.write",
                                   {"review_id": self.letter_review_id}, when=self.letter_due))
        if self.planned_late and not self.overdue:
            items.append(self._review_item(PLANNED_LATE))
        if self.feedback_to_ask:
            items.append(TodayItem(FEEDBACK, self, "feedback_staff.review_feedback",
                                   {"review_id": self.feedback_review_id}, count=self.feedback_to_ask))
        return items

    def _review_item(self, kind: str) -> TodayItem:
        if self.review_id is None:
            return TodayItem(kind, self, "reviews.plan_review", {"child_id": self.child_id}, when=self.due)
        return TodayItem(kind, self, "reviews.child_page", {"child_id": self.child_id}, when=self.due)

    @property
    def needs_action(self) -> bool:
        return bool(self.today)


# --- Building rows in a fixed number of queries -----------------------------------------------------

def _since(on: date, days: int) -> datetime:
    return datetime.combine(on - timedelta(days=days), time(0), tzinfo=LONDON)


def _raw(column):
    """An instant as the driver gives it (aware from PostgreSQL, naive UTC from SQLite), skipping the
    per-value conversion: `london_date` reads either, and one database never mixes the two."""
    return type_coerce(column, DateTime(timezone=True))


def _rows_of(query: Select):
    """Plain rows straight from the connection (columns only: no ORM objects to build)."""
    return db.session.connection().execute(query).all()


def _first_planned(child_ids: Select):
    """Each child's earliest planned review (by meeting, then id): a window over the planned reviews."""
    ranked = (db.select(Review.child_id, Review.id, Review.number, _raw(Review.meeting_at).label("meeting_at"),
                        func.row_number().over(partition_by=Review.child_id,
                                               order_by=(Review.meeting_at, Review.id)).label("rank"))
              .where(Review.status == "planned", Review.child_id.in_(child_ids)).subquery("planned_ranked"))
    return (db.select(ranked.c.child_id, ranked.c.id, ranked.c.number, ranked.c.meeting_at)
            .where(ranked.c.rank == 1).subquery("planned_first"))


def _children(child_ids: Select, planned) -> list:
    """One row per child: the child, their IRO's name, their next planned review and its booklet's dates."""
    flags = (Booklet.id.is_not(None), Booklet.invited_at.is_not(None), Booklet.opened_at.is_not(None),
             Booklet.started_at.is_not(None), Booklet.returned_at.is_not(None), Booklet.withdrawn_at.is_not(None))
    return _rows_of(
        db.select(Child.id, Child.preferred_name, Child.first_name, Child.case_reference, Child.date_of_birth,
                  Child.came_into_care, Child.iro_id, StaffUser.name, planned.c.id, planned.c.number,
                  planned.c.meeting_at, *flags)
        .join(StaffUser, StaffUser.id == Child.iro_id)
        .outerjoin(planned, planned.c.child_id == Child.id)
        .outerjoin(Booklet, Booklet.review_id == planned.c.id)
        .where(Child.id.in_(child_ids)))


def _held(child_ids: Select) -> dict[int, list[tuple[int, datetime]]]:
    """{child id: [(review id, instant), ...] oldest first}: the held reviews as bare columns. (Measured: reading
    them all is quicker, on both databases, than windows picking out only the ones the rules read.)"""
    instant = func.coalesce(Review.held_at, Review.meeting_at)
    held: dict[int, list[tuple[int, datetime]]] = {}
    for child_id, review_id, when in _rows_of(
            db.select(Review.child_id, Review.id, _raw(instant))
            .where(Review.status == "held", Review.child_id.in_(child_ids))
            .order_by(Review.child_id, instant, Review.id)):
        held.setdefault(child_id, []).append((review_id, when))
    return held


def _unread(child_ids: Select) -> dict[int, tuple[int, int]]:
    """{child id: (unread messages, the review of the latest one)}."""
    rows = _rows_of(
        db.select(Review.child_id, func.count(ChildMessage.id), func.max(ChildMessage.review_id))
        .join(Review, Review.id == ChildMessage.review_id)
        .where(ChildMessage.read_at.is_(None), Review.child_id.in_(child_ids)).group_by(Review.child_id))
    return {child_id: (count, review_id) for child_id, count, review_id in rows}


def _open_concerns(child_ids: Select) -> dict[int, tuple[int, int]]:
    """{child id: (open urgent concerns, the oldest one's id)}."""
    rows = _rows_of(
        db.select(Review.child_id, func.count(UrgentConcern.id), func.min(UrgentConcern.id))
        .join(Review, Review.id == UrgentConcern.review_id)
        .where(UrgentConcern.acknowledged_at.is_(None), Review.child_id.in_(child_ids)).group_by(Review.child_id))
    return {child_id: (count, concern_id) for child_id, count, concern_id in rows}


def _held_since(child_ids: Select, since: datetime):
    held = func.coalesce(Review.held_at, Review.meeting_at)
    return db.select(Review.id).where(Review.child_id.in_(child_ids), Review.status == "held", held >= since)


def _issued_letters(child_ids: Select, on: date) -> set[int]:
    """Held reviews of the last year whose letter has an issued version."""
    return set(db.session.scalars(
        db.select(Letter.review_id).join(LetterVersion, LetterVersion.letter_id == Letter.id)
        .where(LetterVersion.status == ISSUED, Letter.review_id.in_(_held_since(child_ids, _since(on, RECENT_DAYS))))
        .distinct()))


def _feedback_asked(child_ids: Select, on: date) -> dict[int, set[str]]:
    """{review id: the groups already invited} for reviews held in the feedback window."""
    asked: dict[int, set[str]] = {}
    for review_id, group in _rows_of(
            db.select(FeedbackInvitation.review_id, FeedbackInvitation.group)
            .where(FeedbackInvitation.review_id.in_(_held_since(child_ids, _since(on, FEEDBACK_DAYS)))).distinct()):
        asked.setdefault(review_id, set()).add(group)
    return asked


def _before(held: list[tuple[int, datetime]], last_day: date, day: date) -> tuple[int, date | None]:
    """How many reviews were held by `day` (its end, in England), and the day of the latest of them."""
    if last_day <= day:
        return len(held), last_day
    earlier = [held_day for held_day in (london_date(when) for _id, when in held) if held_day <= day]
    return len(earlier), earlier[-1] if earlier else None


def _row(child, held: list[tuple[int, datetime]], issued: set[int], *, on: date, dates: _Dates) -> CaseRow:
    """The reviews area's rules (as in `reviews.workspace.child_row`) on plain columns, with dates worked once."""
    (child_id, name, first_name, reference, born, came, iro_id, iro_name, review_id, number, meeting,
     *flags) = child
    count = len(held)
    last_id, last_day = (held[-1][0], london_date(held[-1][1])) if held else (None, None)
    row = CaseRow(child_id=child_id, name=name, first_name=first_name, case_reference=reference, iro_id=iro_id,
                  iro_name=iro_name, age=age_on(born, on) if on >= born else 0,
                  number=number if review_id is not None else review_number(count),
                  due=dates.review_due(came, last_day, count), on=on)
    if review_id is not None:
        review = _Planned(review_id, number, meeting, _Born(born), _BookletDates(*flags[1:]) if flags[0] else None)
        day = london_date(meeting)
        row.review_id, row.next_review, row.days_left = review_id, day, (day - on).days
        row.booklet = booklet_status(review)
        row.invite_by = dates.invite_by(day)
        row.invitation_sent = bool(review.booklet and review.booklet.invited_at)
        row.invitation_late = row.booklet != "none" and invitation_late(row.invite_by, row.invitation_sent, on)
        # Due after the reviews held before its day (as `workspace.review_due`).
        earlier, previous = _before(held, last_day, day) if held else (0, None)
        late = late_by(day, dates.review_due(came, previous, earlier))
        row.planned_late_days = late.days if late is not None else None
    # Past the reg 33 due date and not held: nothing planned, or planned after that day.
    row.overdue = row.due is not None and on > row.due and (row.next_review is None or row.next_review > row.due)
    if last_day is not None:
        if (on - last_day).days <= RECENT_DAYS and last_id not in issued:
            row.letter_review_id, row.letter_due = last_id, dates.letter_due(last_day)
            row.letter_state = state_on(row.letter_due, on)
        if (on - last_day).days <= FEEDBACK_DAYS:
            row.feedback_review_id = last_id
    return row


def build_rows(child_ids: Select, *, on: date, working_days: int, record_days: int) -> list[CaseRow]:
    """A row for each child in `child_ids` (a select of Child.id), in six queries whatever their number."""
    children, held = _children(child_ids, _first_planned(child_ids)), _held(child_ids)
    unread, concerns = _unread(child_ids), _open_concerns(child_ids)
    issued, asked = _issued_letters(child_ids, on), _feedback_asked(child_ids, on)
    dates = _Dates(working_days, record_days)
    rows = []
    for child in children:
        row = _row(child, held.get(child[0], []), issued, on=on, dates=dates)
        row.unread, row.unread_review_id = unread.get(row.child_id, (0, None))
        row.concerns, row.concern_id = concerns.get(row.child_id, (0, None))
        if row.feedback_review_id is not None:
            row.feedback_to_ask = len(set(FEEDBACK_GROUPS) - asked.get(row.feedback_review_id, set()))
            if not row.feedback_to_ask:
                row.feedback_review_id = None
        rows.append(row)
    return rows


# --- Whose children ----------------------------------------------------------------------------------

def own_child_ids(user: StaffUser) -> Select:
    """The IRO's own children (a manager's too, if they have any)."""
    return visible_children(db.select(Child.id), user).where(Child.iro_id == user.id)


def service_child_ids(user: StaffUser, *, team_id: int | None = None, iro_id: int | None = None) -> Select:
    """The children a manager may see (all of the authority's), narrowed to a team's IROs or to one IRO."""
    query = visible_children(db.select(Child.id), user)
    if user.role != MANAGER:
        return query.where(Child.iro_id == user.id)
    if team_id is not None:
        query = query.where(Child.iro_id.in_(db.select(StaffUser.id).where(StaffUser.team_id == team_id)))
    if iro_id is not None:
        query = query.where(Child.iro_id == iro_id)
    return query


# --- Filters, search, sort, pages -------------------------------------------------------------------------

def _shown(row: CaseRow, show: str) -> bool:
    if show == "action":
        return row.needs_action
    if show == "overdue":
        return row.overdue or row.planned_late
    if show == "week":
        return row.days_left is not None and 0 <= row.days_left < 7
    if show == "month":
        return row.days_left is not None and 0 <= row.days_left < 28
    return True


def _matches(row: CaseRow, words: str) -> bool:
    """The search: every word found in the preferred name, first name or case reference."""
    haystack = " ".join(part for part in (row.name, row.first_name, row.case_reference) if part).casefold()
    return all(word in haystack for word in words.casefold().split())


def filter_rows(rows: Iterable[CaseRow], *, show: str = "all", age: str = "all", q: str = "",
                iro_id: int | None = None) -> list[CaseRow]:
    _label, low, high = AGE_BANDS.get(age, AGE_BANDS["all"])
    return [row for row in rows if _shown(row, show) and low <= row.age <= high
            and (not q.strip() or _matches(row, q)) and (iro_id is None or row.iro_id == iro_id)]


_LETTER_ORDER = {LATE: 0, DUE_SOON: 1, "due": 2}
SORT_KEYS = {
    "name": lambda row: row.name.casefold(),
    "age": lambda row: row.age,
    "next_review": lambda row: row.next_review,
    "due": lambda row: row.due,
    "invite_by": lambda row: row.invite_by if row.review_id is not None and not row.invitation_sent else None,
    "booklet": lambda row: BOOKLET_STATUSES.index(row.booklet) if row.booklet in BOOKLET_STATUSES else None,
    "messages": lambda row: row.unread or None,
    "concerns": lambda row: row.concerns or None,
    "letter": lambda row: row.letter_due if row.letter_state else None,
    "feedback": lambda row: row.feedback_to_ask or None,
}


def sort_rows(rows: Iterable[CaseRow], sort: str = "next_review", direction: str = "asc") -> list[CaseRow]:
    """Sorted on one column, ties by name; rows with nothing in that column always come last."""
    key = SORT_KEYS.get(sort, SORT_KEYS["next_review"])
    by_name = sorted(rows, key=lambda row: (row.name.casefold(), row.child_id))
    present = [row for row in by_name if key(row) is not None]
    missing = [row for row in by_name if key(row) is None]
    return sorted(present, key=key, reverse=direction == "desc") + missing


@dataclass(frozen=True)
class Page:
    rows: list[CaseRow]
    number: int
    pages: int
    total: int

    @property
    def first(self) -> int:
        return (self.number - 1) * PAGE_SIZE + 1 if self.total else 0

    @property
    def last(self) -> int:
        return min(self.number * PAGE_SIZE, self.total)

    @property
    def numbers(self) -> list[int | None]:
        """The page links to show, as GOV.UK pagination does for many pages: the first, the last, this page and
        its neighbours; None where pages are left out (drawn as an ellipsis)."""
        shown = sorted({1, self.pages, *range(max(1, self.number - 1), min(self.pages, self.number + 1) + 1)})
        numbers: list[int | None] = []
        for number in shown:
            if numbers and number - numbers[-1] == 2:
                numbers.append(number - 1)  # one page left out: show it rather than an ellipsis
            elif numbers and number - numbers[-1] > 2:
                numbers.append(None)
            numbers.append(number)
        return numbers


def page_of(rows: list[CaseRow], number: int, size: int = PAGE_SIZE) -> Page:
    """One page of rows; a page past the end is the last page."""
    pages = max(1, -(-len(rows) // size))
    number = min(max(1, number), pages)
    return Page(rows=rows[(number - 1) * size:number * size], number=number, pages=pages, total=len(rows))


# --- Today -----------------------------------------------------------------------------------------------

def today_items(rows: Iterable[CaseRow], limit: int = TODAY_LIMIT) -> tuple[list[TodayItem], int]:
    """The most urgent things to do first, at most `limit`; and how many there are in all."""
    items = sorted((item for row in rows for item in row.today), key=lambda item: item.rank)
    return items[:limit], len(items)


# --- The manager's counts per IRO ---------------------------------------------------------------------

@dataclass
class IroCounts:
    iro_id: int
    name: str
    children: int = 0
    overdue: int = 0
    late_invitations: int = 0
    late_letters: int = 0
    open_concerns: int = 0


def iro_counts(rows: Iterable[CaseRow], team_id: int | None = None) -> list[IroCounts]:
    """Per active IRO (of a team, or all): caseload size, overdue reviews, late invitations, late letters and
    open concerns, from the rows built for the same children (no further query per IRO)."""
    query = (db.select(StaffUser.id, StaffUser.name, StaffUser.team_id)
             .where(StaffUser.role == "iro", StaffUser.active.is_(True)).order_by(StaffUser.name))
    if team_id is not None:
        query = query.where(StaffUser.team_id == team_id)
    counts = {iro_id: IroCounts(iro_id, name) for iro_id, name, _team in db.session.execute(query)}
    for row in rows:
        entry = counts.get(row.iro_id)
        if entry is None:
            # A child whose IRO has left (inactive): still counted, under that IRO's name.
            entry = counts[row.iro_id] = IroCounts(row.iro_id, row.iro_name)
        entry.children += 1
        entry.overdue += row.overdue
        entry.late_invitations += row.invitation_late
        entry.late_letters += row.letter_state == LATE
        entry.open_concerns += row.concerns
    return sorted(counts.values(), key=lambda entry: (entry.name.casefold(), entry.iro_id))

"""On time: of the reviews held in the period, how many were held within the reg 33 intervals, how many had
their invitation at least the authority's working days before the meeting, and how many letters were issued
within the authority's working days; each as a count and a percentage, and the late ones listed.

One query fetches the period's held reviews with what each rule needs: the child's came_into_care, the
previous held review (LAG over the child's held reviews, on SQLite and PostgreSQL alike), how many were held
before it (ROW_NUMBER), the meeting day, the invitation day and the age band, days in England worked out in SQL
(`booklets.london_day_number`). The due dates are counted per review in Python, as the child's page counts
them (`portal.reviews.workspace`: the reg 33 due date from came_into_care and the previous held review), since
working days need the bank holidays, each distinct due day once. One more GROUP BY finds the day each letter
was first issued; the letters are counted by the rule of `portal.letters.status.letter_counts` (the tests check
both agree), without its per-review working-day stepping.

The list names children, so it is shown on the page only (to a manager for the service, to an IRO for their own
reviews) and never in a CSV file: the tables hold counts only. These are the service's own counts (no
suppression).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask_babel import format_date, format_percent, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func

from portal.booklet.models import Booklet
from portal.extensions import db
from portal.insights.filters import Filters, narrow
from portal.insights.sections.base import Result, Section, Table
from portal.insights.sections.booklets import YOUNGER, age_band, as_date, day_number, london_day_number
from portal.letters.models import ISSUED, Letter, LetterVersion
from portal.letters.services import LATE
from portal.letters.status import state_on
from portal.reviews.dates import (
    BankHolidayDataExhausted,
    latest_invitation_date,
    record_due_date,
    review_due_date,
)
from portal.reviews.models import Child, Review
from portal.settings import authority_settings
from portal.timeutil import london_date, today

LONG_DATE = "d MMMM y"
# The page lists at most this many late reviews (the figures count them all); a team or an IRO shows the rest.
LIST_LIMIT = 200


@dataclass
class Measure:
    """One rule: how many were counted, on time and late (of the late, how many were never sent or issued),
    and how many could not be counted yet."""

    key: str
    counted: int = 0
    on_time: int = 0
    late: int = 0
    missing: int = 0
    not_counted: int = 0

    @property
    def share(self) -> float | None:
        return self.on_time / self.counted if self.counted else None


# What is late about a review, as (kind, values); worded only when shown (`LateReview.reasons`).
REVIEW_LATE, INVITED_LATE, NOT_INVITED, LETTER_ISSUED_LATE, LETTER_LATE = (
    "review", "invited_late", "not_invited", "letter_issued_late", "letter_late")


def reason_text(kind: str, values: dict, invitation_days: int) -> str:
    dates = {key: format_date(value, LONG_DATE) for key, value in values.items() if isinstance(value, date)}
    if kind == REVIEW_LATE:
        return ngettext("Held %(num)d day after its reg 33 due date (%(date)s)",
                        "Held %(num)d days after its reg 33 due date (%(date)s)", values["days"], date=dates["due"])
    if kind == NOT_INVITED:
        return _("No invitation to the booklet was recorded")
    if kind == INVITED_LATE:
        return _("Invited on %(sent)s, after %(date)s (%(num)d working days before the meeting)",
                 sent=dates["sent"], date=dates["due"], num=invitation_days)
    if kind == LETTER_ISSUED_LATE:
        return _("Letter issued on %(issued)s, after %(date)s", issued=dates["issued"], date=dates["due"])
    return _("Letter not issued yet: it was due on %(date)s", date=dates["due"])


@dataclass
class LateReview:
    child_id: int
    name: str
    case_reference: str | None
    day: date
    late: list[tuple[str, dict]] = field(default_factory=list)
    invitation_days: int = 0

    @property
    def reasons(self) -> list[str]:
        return [reason_text(kind, values, self.invitation_days) for kind, values in self.late]


@dataclass
class Timeliness:
    reviews: Measure
    invitations: Measure
    letters: Measure
    late: list[LateReview]
    invitation_days: int
    record_days: int


def _held_rows(filters: Filters):
    """The period's held reviews, one row each, with what the three rules need. One query."""
    held = func.coalesce(Review.held_at, Review.meeting_at)
    order = (held, Review.id)
    windowed = (db.select(Review.id.label("id"), Review.child_id.label("child_id"), Review.iro_id.label("iro_id"),
                          held.label("held"), Review.meeting_at.label("meeting_at"),
                          func.lag(held).over(partition_by=Review.child_id, order_by=order).label("previous"),
                          (func.row_number().over(partition_by=Review.child_id, order_by=order) - 1)
                          .label("before"))
                .where(Review.status == "held", held < filters.ends_at).subquery())
    meeting_day = london_day_number(windowed.c.meeting_at)
    query = (db.select(windowed.c.id, windowed.c.child_id, Child.preferred_name, Child.case_reference,
                       london_day_number(windowed.c.held).label("held_day"),
                       london_day_number(windowed.c.previous).label("previous_day"), windowed.c.before,
                       day_number(Child.came_into_care).label("came_into_care"), meeting_day.label("meeting_day"),
                       london_day_number(Booklet.invited_at).label("invited_day"),
                       age_band(meeting_day, Child.date_of_birth).label("band"))
             .join(Child, Child.id == windowed.c.child_id)
             .outerjoin(Booklet, Booklet.review_id == windowed.c.id)
             .where(windowed.c.held >= filters.starts_at, windowed.c.held < filters.ends_at)
             .order_by(windowed.c.held, windowed.c.id))
    return db.session.execute(narrow(query, filters, windowed.c.iro_id)).all()


def _first_issued(filters: Filters) -> dict[int, date]:
    """{review id: the day its letter was first issued}, for the period's held reviews. One GROUP BY."""
    held = func.coalesce(Review.held_at, Review.meeting_at)
    ids = narrow(db.select(Review.id).where(Review.status == "held", held >= filters.starts_at,
                                            held < filters.ends_at), filters, Review.iro_id)
    rows = db.session.execute(
        db.select(Letter.review_id, func.min(LetterVersion.issued_at))
        .join(LetterVersion, LetterVersion.letter_id == Letter.id)
        .where(Letter.review_id.in_(ids), LetterVersion.status == ISSUED)
        .group_by(Letter.review_id))
    return {review_id: london_date(issued_at) for review_id, issued_at in rows}


class _Days:
    """Due days worked out once per distinct input (a year's reviews fall on a few hundred days)."""

    def __init__(self):
        self.known: dict = {}

    def __call__(self, compute, *args) -> date | None:
        key = (compute, *args)
        if key not in self.known:
            try:
                self.known[key] = compute(*args)
            except BankHolidayDataExhausted:
                self.known[key] = None
        return self.known[key]


def _review_due(came_into_care: date, previous: date | None, before: int) -> date:
    return review_due_date(came_into_care=came_into_care, previous_review_held=previous, reviews_held=before)


def figures(filters: Filters, on: date | None = None) -> Timeliness:
    """The three measures and the late reviews (by review day). Two queries, whatever the data.

    The letters are counted by `portal.letters.status`'s rule (`letter_counts`: the first issued version's day
    against `record_due_date`; not issued and past due is late, `state_on`), over the same rows, so that the
    due days are worked out once per day rather than once per review."""
    day = on or today()
    settings = authority_settings()
    invitation_days, record_days = settings.invitation_working_days, settings.record_working_days
    rows = _held_rows(filters)
    issued = _first_issued(filters)
    due_of = _Days()
    reviews, invitations, letters = Measure("reviews"), Measure("invitations"), Measure("letters")
    late: list[LateReview] = []
    for row in rows:
        found = []
        held_day = as_date(row.held_day)
        due = due_of(_review_due, as_date(row.came_into_care), as_date(row.previous_day), min(row.before, 2))
        if due is None:
            reviews.not_counted += 1
        else:
            reviews.counted += 1
            if held_day <= due:
                reviews.on_time += 1
            else:
                reviews.late += 1
                found.append((REVIEW_LATE, {"days": (held_day - due).days, "due": due}))
        invite_by = None if row.band == YOUNGER else due_of(latest_invitation_date, as_date(row.meeting_day),
                                                             invitation_days)
        if invite_by is None:
            invitations.not_counted += 1
        else:
            invitations.counted += 1
            invited = as_date(row.invited_day)
            if invited is not None and invited <= invite_by:
                invitations.on_time += 1
            else:
                invitations.late += 1
                if invited is None:
                    invitations.missing += 1
                    found.append((NOT_INVITED, {}))
                else:
                    found.append((INVITED_LATE, {"sent": invited, "due": invite_by}))
        letter_due = due_of(record_due_date, held_day, record_days)
        first = issued.get(row.id)
        if letter_due is None or (first is None and state_on(letter_due, day) != LATE):
            letters.not_counted += 1
        elif first is not None and first <= letter_due:
            letters.counted += 1
            letters.on_time += 1
        else:
            letters.counted += 1
            letters.late += 1
            if first is None:
                letters.missing += 1
                found.append((LETTER_LATE, {"due": letter_due}))
            else:
                found.append((LETTER_ISSUED_LATE, {"issued": first, "due": letter_due}))
        if found:
            late.append(LateReview(row.child_id, row.preferred_name, row.case_reference, held_day, found,
                                   invitation_days))
    return Timeliness(reviews, invitations, letters, late, invitation_days, record_days)


# --- The dashboard's section ---------------------------------------------------------------------

HEADER = (_l("Measure"), _l("Counted"), _l("On time"), _l("Late"), _l("Of the late: never sent or not issued yet"),
          _l("On time (%)"), _l("Not counted"))


def percent(share: float | None) -> str:
    return "–" if share is None else format_percent(share, "#,##0%")


def labels(found: Timeliness) -> dict[str, str]:
    return {
        "reviews": _("Reviews held within the reg 33 intervals"),
        "invitations": ngettext("Invitations at least %(num)d working day before the meeting",
                                "Invitations at least %(num)d working days before the meeting",
                                found.invitation_days),
        "letters": ngettext("Letters issued within %(num)d working day of the review",
                            "Letters issued within %(num)d working days of the review", found.record_days),
    }


def compute(filters: Filters) -> Result:
    found = figures(filters)
    names = labels(found)
    measures = [found.reviews, found.invitations, found.letters]
    cells = [(names[m.key], m.counted, m.on_time, m.late, m.missing,
              "" if m.share is None else round(m.share * 100, 1), m.not_counted) for m in measures]
    # On time and late add up to those counted; the share is worked out from them.
    table = Table(_l("Held reviews on time"), tuple(str(cell) for cell in HEADER), cells, partitions=(((2, 3), 1),),
                  derived=(5,))
    return Result({"found": found, "measures": measures, "names": names, "percent": percent,
                   "day_text": lambda day: format_date(day, "d MMM y"), "limit": LIST_LIMIT}, {"on_time": table})


SECTION = Section("timeliness", _l("On time"), "insights/_timeliness.html", compute)

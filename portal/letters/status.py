"""The letter on the lists: due, due soon or late after a child's last held review, for many children in
two queries; the link to the letter under a held review; the counts for the collated views.

Due dates follow `services.due_date` (the day held plus the authority's working days), worked out in
Python from one row per review, never one query per child.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from flask import current_app, url_for
from flask_babel import format_date, gettext
from markupsafe import Markup, escape
from sqlalchemy import func

from portal.extensions import db
from portal.letters.models import DRAFT, ISSUED, Letter, LetterVersion
from portal.letters.services import DUE_SOON, ISSUED_LATE, ISSUED_ON_TIME, LATE
from portal.reviews.dates import BankHolidayDataExhausted, record_due_date, working_days_between
from portal.reviews.models import Review
from portal.settings import authority_settings
from portal.timeutil import LONDON, london_date, today

# A held review older than this has no letter row on the lists.
RECENT_DAYS = 365
# Within this many working days of the due day, the letter is "due soon".
DUE_SOON_WORKING_DAYS = 5
SHORT_DATE = "d MMMM"
WRITE_ENDPOINT, HISTORY_ENDPOINT = "letters.write", "letters.history"


def _held_day(held_at: datetime | None, meeting_at: datetime) -> date:
    return london_date(held_at or meeting_at)


def _due(held_day: date, working_days: int) -> date | None:
    try:
        return record_due_date(held_day, working_days)
    except BankHolidayDataExhausted:
        return None


def state_on(due: date | None, day: date) -> str | None:
    """'late', 'due soon', 'due' or None (no due day known) for a letter not yet issued, on `day`."""
    if due is None:
        return None
    if day > due:
        return LATE
    try:
        left = working_days_between(day, due)
    except BankHolidayDataExhausted:
        return "due"
    return DUE_SOON if left <= DUE_SOON_WORKING_DAYS else "due"


def _first_issued(review_ids: Iterable[int]) -> dict[int, datetime]:
    """{review id: when its first version was issued} for the reviews whose letter has been issued."""
    ids = list(review_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        db.select(Letter.review_id, func.min(LetterVersion.issued_at))
        .join(LetterVersion, LetterVersion.letter_id == Letter.id)
        .where(Letter.review_id.in_(ids), LetterVersion.status == ISSUED)
        .group_by(Letter.review_id))
    return {review_id: issued_at for review_id, issued_at in rows}


def _write_url(review_id: int) -> str | None:
    if WRITE_ENDPOINT not in current_app.view_functions:
        return None
    return url_for(WRITE_ENDPOINT, review_id=review_id)


def letter_statuses(child_ids: list[int]) -> dict[int, str]:
    """{child id: HTML} for each child whose most recent held review (within a year) has a letter not yet
    issued: "Due 12 December", "Due soon: 12 December" (yellow) or "Late: due 1 December" (red), with a
    link to write it. Two queries for all the children."""
    ids = list(child_ids)
    if not ids:
        return {}
    day = today()
    since = datetime.combine(day - timedelta(days=RECENT_DAYS), time(0), tzinfo=LONDON)
    held = func.coalesce(Review.held_at, Review.meeting_at)
    rows = db.session.execute(
        db.select(Review.id, Review.child_id, Review.held_at, Review.meeting_at)
        .where(Review.child_id.in_(ids), Review.status == "held", held >= since)
        .order_by(Review.child_id, held.desc(), Review.id.desc()))
    latest: dict[int, tuple[int, date]] = {}
    for review_id, child_id, held_at, meeting_at in rows:
        if child_id not in latest:
            latest[child_id] = (review_id, _held_day(held_at, meeting_at))
    if not latest:
        return {}
    issued = _first_issued(review_id for review_id, _day in latest.values())
    working_days = authority_settings().record_working_days
    out: dict[int, str] = {}
    for child_id, (review_id, held_day) in latest.items():
        if review_id in issued:
            continue
        due = _due(held_day, working_days)
        state = state_on(due, day)
        if state is None:
            continue
        when = format_date(due, SHORT_DATE)
        if state == LATE:
            html = Markup('<strong class="govuk-tag govuk-tag--red">{}</strong>').format(
                gettext("Late: due %(date)s", date=when))
        elif state == DUE_SOON:
            html = Markup('<strong class="govuk-tag govuk-tag--yellow">{}</strong>').format(
                gettext("Due soon: %(date)s", date=when))
        else:
            html = escape(gettext("Due %(date)s", date=when))
        url = _write_url(review_id)
        if url:
            html += Markup('<br><a class="govuk-link" href="{}">{}</a>').format(url, gettext("Write the letter"))
        out[child_id] = str(html)
    return out


def held_review_link(review: Review) -> tuple[str, str] | None:
    """Under a held review on the child's page: the letter, issued (with the date and version) or to write
    (with the day it is due). None until the letters pages exist."""
    if review.status != "held" or WRITE_ENDPOINT not in current_app.view_functions:
        return None
    rows = db.session.execute(
        db.select(LetterVersion.status, LetterVersion.number, LetterVersion.issued_at)
        .join(Letter, LetterVersion.letter_id == Letter.id)
        .where(Letter.review_id == review.id)
        .order_by(LetterVersion.number.desc())).all()
    issued = [row for row in rows if row.status == ISSUED]
    has_draft = any(row.status == DRAFT for row in rows)
    if issued:
        latest = issued[0]
        label = gettext("The letter to the child (issued %(date)s, version %(number)d)",
                        date=format_date(london_date(latest.issued_at), SHORT_DATE), number=latest.number)
        endpoint = HISTORY_ENDPOINT if not has_draft and HISTORY_ENDPOINT in current_app.view_functions \
            else WRITE_ENDPOINT
        return label, url_for(endpoint, review_id=review.id)
    due = _due(_held_day(review.held_at, review.meeting_at), authority_settings().record_working_days)
    if due is None:
        label = gettext("Write the letter to the child")
    else:
        label = gettext("Write the letter to the child (due %(date)s)", date=format_date(due, SHORT_DATE))
    return label, url_for(WRITE_ENDPOINT, review_id=review.id)


def letter_counts(review_ids: Iterable[int], on: date | None = None) -> dict[str, int]:
    """For the collated views: of these reviews (held ones count), how many letters were issued on time,
    issued late, are late, or are due soon. Timeliness is the first issued version's day. Two queries."""
    ids = list(review_ids)
    counts = {ISSUED_ON_TIME: 0, ISSUED_LATE: 0, LATE: 0, DUE_SOON: 0}
    if not ids:
        return _named(counts)
    day = on or today()
    rows = db.session.execute(db.select(Review.id, Review.held_at, Review.meeting_at)
                              .where(Review.id.in_(ids), Review.status == "held")).all()
    issued = _first_issued(row.id for row in rows)
    working_days = authority_settings().record_working_days
    for review_id, held_at, meeting_at in rows:
        due = _due(_held_day(held_at, meeting_at), working_days)
        if due is None:
            continue
        if review_id in issued:
            counts[ISSUED_ON_TIME if london_date(issued[review_id]) <= due else ISSUED_LATE] += 1
            continue
        state = state_on(due, day)
        if state in (LATE, DUE_SOON):
            counts[state] += 1
    return _named(counts)


def _named(counts: dict[str, int]) -> dict[str, int]:
    return {"issued_on_time": counts[ISSUED_ON_TIME], "issued_late": counts[ISSUED_LATE], "late": counts[LATE],
            "due_soon": counts[DUE_SOON]}

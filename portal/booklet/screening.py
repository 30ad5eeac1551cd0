"""Spot what a child writes that may mean they are at risk, tell their IRO at once, and escalate."""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime, time, timedelta

from flask import g, has_request_context

from portal.audit import record_event
from portal.booklet.models import BookletAnswer, ChildMessage, ScreeningWord, UrgentConcern
from portal.booklet.questions import question_set
from portal.extensions import db
from portal.reviews.models import Review
from portal.reviews.services import BankHolidayDataExhausted, is_working_day
from portal.timeutil import LONDON, as_utc, utcnow

WORKDAY_START = time(9)
WORKDAY_END = time(17)
URGENT_LIST_PATH = "/urgent"


# --- Word list --------------------------------------------------------------------------------

def tokens(text: str | None) -> list[str]:
    """Words of a text, case-folded, for any script: letters, marks and digits run together."""
    if not text:
        return []
    # NFKC folds look-alike forms; format characters (such as the Persian zero-width non-joiner)
    # are dropped so a word is one token however it was typed.
    folded = unicodedata.normalize("NFKC", text).casefold()
    words, current = [], []
    for ch in folded:
        category = unicodedata.category(ch)
        if category[0] in "LMN":
            current.append(ch)
        elif category == "Cf":
            continue
        elif current:
            words.append("".join(current))
            current = []
    if current:
        words.append("".join(current))
    return words


def _contains(haystack: list[str], needle: list[str]) -> bool:
    size = len(needle)
    return size > 0 and any(haystack[i:i + size] == needle for i in range(len(haystack) - size + 1))


def matches_word_list(text: str | None, language: str | None = None) -> str | None:
    """The first screening word or phrase found whole in the text (any language's list), or None."""
    words = tokens(text)
    if not words:
        return None
    rows = db.session.execute(db.select(ScreeningWord.word, ScreeningWord.language)).all()
    # Every language's list is checked (children mix languages); the child's own comes first.
    rows.sort(key=lambda row: (row.language != language, row.word))
    for word, _language in rows:
        if _contains(words, tokens(word)):
            return word
    return None


# --- Working hours ----------------------------------------------------------------------------

def _is_working_day(day) -> bool:
    try:
        return is_working_day(day)
    except BankHolidayDataExhausted:
        # Past the packaged holidays: count every weekday, so escalation comes sooner, never later.
        return day.weekday() < 5


def _next_working_start(day) -> datetime:
    day += timedelta(days=1)
    while not _is_working_day(day):
        day += timedelta(days=1)
    return datetime.combine(day, WORKDAY_START, tzinfo=LONDON)


def add_working_hours(start: datetime, hours: float) -> datetime:
    """The instant `hours` working hours (9:00-17:00 London, working days) after start, in UTC."""
    if hours < 0:
        raise ValueError("hours must not be negative")
    current = as_utc(start).astimezone(LONDON)
    day = current.date()
    if not _is_working_day(day) or current.time() >= WORKDAY_END:
        current = _next_working_start(day)
    elif current.time() < WORKDAY_START:
        current = datetime.combine(day, WORKDAY_START, tzinfo=LONDON)
    remaining = timedelta(hours=hours)
    while True:
        end_of_day = datetime.combine(current.date(), WORKDAY_END, tzinfo=LONDON)
        available = end_of_day - current
        if remaining <= available:
            return (current + remaining).astimezone(UTC)
        remaining -= available
        current = _next_working_start(current.date())


# --- Raising concerns -------------------------------------------------------------------------

def _answer_reason(answer: BookletAnswer) -> str | None:
    try:
        question = question_set(answer.question_set).question(answer.question_key)
    except KeyError:
        question = None
    if answer.state == "answered" and question is not None and answer.value_choice \
            and answer.value_choice in question.urgent_choices:
        return "unsafe_question"
    if answer.value_text and matches_word_list(answer.value_text, None):
        return "word_list"
    return None


def _notify_iro_and_duty(review: Review) -> None:
    from portal.outbox.services import queue_message, staff_url
    from portal.staff.services import authority_settings

    url = staff_url(URGENT_LIST_PATH)
    recipients = []
    if review.iro is not None and review.iro.email:
        recipients.append(review.iro.email)
    duty = (authority_settings().duty_inbox_email or "").strip()
    if duty and duty.lower() not in {r.lower() for r in recipients}:
        recipients.append(duty)
    for recipient in recipients:
        # No name and no words of the child: the notice only says to sign in.
        queue_message("email", recipient, "urgent_notice", {"url": url}, review_id=review.id)


def _raise_concern(review: Review, reason: str, *, answer_id: int | None = None,
                   message_id: int | None = None) -> UrgentConcern:
    from portal.staff.services import authority_settings

    now = utcnow()
    hours = authority_settings().urgent_escalation_working_hours
    concern = UrgentConcern(review_id=review.id, answer_id=answer_id, message_id=message_id, reason=reason,
                            created_at=now, escalate_after=add_working_hours(now, hours),
                            acknowledgement_note="")
    db.session.add(concern)
    _forget_concern_counts()
    db.session.flush()
    _notify_iro_and_duty(review)
    record_event("urgent_raised", "urgent_concern", concern.id, detail=reason, actor_kind="system")
    return concern


def _mark_urgent(item: BookletAnswer | ChildMessage, review: Review, reason: str, owner: str) -> None:
    """Mark the answer or message urgent and raise one concern for it while none is open."""
    item.urgent = True
    if item.id is None:
        db.session.add(item)
        db.session.flush()
    open_concern = db.session.scalar(db.select(UrgentConcern.id).filter_by(
        **{owner: item.id}, acknowledged_at=None).limit(1))
    if open_concern is None:
        _raise_concern(review, reason, **{owner: item.id})


def screen_answer(answer: BookletAnswer, review: Review) -> bool:
    """Mark the answer urgent and tell the IRO when it suggests risk; True when it does."""
    reason = _answer_reason(answer)
    if reason is None:
        # A changed answer does not close a concern: the IRO still acknowledges it.
        return False
    _mark_urgent(answer, review, reason, "answer_id")
    return True


def screen_message(message: ChildMessage) -> bool:
    """Mark a child's message urgent and tell the IRO when it suggests risk; True when it does."""
    if not matches_word_list(message.body, None):
        return False
    _mark_urgent(message, db.session.get(Review, message.review_id), "word_list", "message_id")
    return True


# --- Acknowledging and escalating -------------------------------------------------------------

def open_concerns_query(user=None):
    """Unacknowledged concerns the user may see (IRO: their own reviews; manager: all)."""
    query = db.select(UrgentConcern).where(UrgentConcern.acknowledged_at.is_(None))
    if user is not None:
        if user.role == "manager":
            pass
        elif user.role == "iro":
            query = query.join(Review, Review.id == UrgentConcern.review_id).where(Review.iro_id == user.id)
        else:
            query = query.where(db.false())
    return query.order_by(UrgentConcern.created_at)


def open_concern_counts(user) -> dict[int, int]:
    """Open concerns per review that the user may see, counted once per request (lists show many)."""
    cache = g.setdefault("open_concern_counts", {}) if has_request_context() else {}
    if user.id not in cache:
        concerns = open_concerns_query(user).order_by(None).subquery()
        rows = db.session.execute(db.select(concerns.c.review_id, db.func.count()).group_by(concerns.c.review_id))
        cache[user.id] = {review_id: number for review_id, number in rows}
    return cache[user.id]


def _forget_concern_counts() -> None:
    if has_request_context():
        g.pop("open_concern_counts", None)


def acknowledge(concern: UrgentConcern, user, note: str) -> None:
    """The IRO (or a manager) has seen it and says what they did; audited, no content in the log."""
    note = (note or "").strip()
    if not note:
        raise ValueError("A note is required")
    if concern.acknowledged_at is None:
        concern.acknowledged_at = utcnow()
        concern.acknowledged_by_id = user.id
        concern.acknowledgement_note = note
        record_event("urgent_acknowledged", "urgent_concern", concern.id)
        _forget_concern_counts()


def managers_for(review: Review) -> list:
    """Active managers of the IRO's team, or every active manager when the team has none."""
    from portal.staff.models import StaffUser

    base = db.select(StaffUser).where(StaffUser.role == "manager", StaffUser.active.is_(True))
    iro = review.iro
    managers = []
    if iro is not None and iro.team_id is not None:
        managers = list(db.session.scalars(base.where(StaffUser.team_id == iro.team_id).order_by(StaffUser.id)))
    return managers or list(db.session.scalars(base.order_by(StaffUser.id)))


def escalate_overdue_concerns(now: datetime | None = None) -> int:
    """Tell managers of concerns nobody acknowledged in time (once each); return how many; caller commits."""
    from portal.outbox.services import queue_message, staff_url

    now = now or utcnow()
    overdue = [c for c in db.session.scalars(
        db.select(UrgentConcern).where(UrgentConcern.acknowledged_at.is_(None),
                                       UrgentConcern.escalated_at.is_(None)))
        if as_utc(c.escalate_after) <= now]
    for concern in overdue:
        url = staff_url(URGENT_LIST_PATH)
        for manager in managers_for(concern.review):
            queue_message("email", manager.email, "urgent_escalation", {"url": url}, review_id=concern.review_id)
        concern.escalated_at = now
        record_event("urgent_escalated", "urgent_concern", concern.id, actor_kind="system")
    return len(overdue)

"""Screen what people write, raise concerns that reach a person, keep the words, escalate.

Any area screens free text through `screen` (the matches and their categories) and reports a
worrying answer, message or caption through `report`, which keeps a snapshot of the words as they
were when flagged and sends content-free notices in the caller's transaction.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from time import monotonic

from babel import Locale, UnknownLocaleError
from flask import current_app, g, has_request_context
from flask_babel import get_locale
from sqlalchemy import event
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.audit import record_event
from portal.extensions import db
from portal.outbox.models import OutboxMessage
from portal.outbox.services import queue_message, staff_url
from portal.reviews.models import Review
from portal.reviews.services import BankHolidayDataExhausted, is_working_day
from portal.safeguarding.matching import Entry, Match, Matcher, folded_key
from portal.safeguarding.models import (
    CATEGORIES,
    LOCAL_CATEGORIES,
    ChildMessage,
    MessageDraft,
    ScreeningEntry,
    UrgentConcern,
)
from portal.security import visible_review_ids
from portal.settings import authority_settings
from portal.staff.models import StaffUser
from portal.timeutil import LONDON, as_utc, utcnow

WORKDAY_START = time(9)
WORKDAY_END = time(17)
URGENT_LIST_PATH = "/urgent"
REPEAT_WINDOW = timedelta(minutes=30)


# --- Screening --------------------------------------------------------------------------------

_matcher_lock = threading.Lock()
_matchers: dict[tuple, Matcher] = {}
_matchers_by_content: dict[frozenset, Matcher] = {}


def _list_stamp() -> tuple:
    """Changes whenever an entry is added, disabled or restored: the cached matcher is rebuilt."""
    count, changed = db.session.execute(
        db.select(db.func.count(ScreeningEntry.id), db.func.max(ScreeningEntry.changed_at))).one()
    # The database too: one process may serve several (tests give each its own schema).
    options = current_app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}).get("connect_args", {}).get("options")
    return str(db.session.get_bind().url), options, count, str(changed)


# How long a process trusts the list version it last read: a change made here is seen at once (see
# _forget_on_change); one made by another worker within a few seconds. Saves one query per screening.
STAMP_SECONDS = 5.0
_stamps: dict[tuple, tuple[float, tuple]] = {}


def _database_key() -> tuple:
    options = current_app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}).get("connect_args", {}).get("options")
    return str(db.session.get_bind().url), options


def _recent_stamp() -> tuple:
    key, now = _database_key(), monotonic()
    known = _stamps.get(key)
    if known is not None and now - known[0] < STAMP_SECONDS:
        return known[1]
    stamp = _list_stamp()
    _stamps[key] = (now, stamp)
    return stamp


@event.listens_for(Session, "after_flush")
def _forget_on_change(session, _context) -> None:
    """Any entry added, changed or removed in this process: read the list version again next time."""
    if any(isinstance(item, ScreeningEntry) for item in (*session.new, *session.dirty, *session.deleted)):
        _stamps.clear()


def current_matcher() -> Matcher:
    """The matcher for the active entries, built once per list version and process."""
    if has_request_context() and "screening_matcher" in g:
        return g.screening_matcher
    stamp = _recent_stamp()
    matcher = _matchers.get(stamp)
    if matcher is None:
        rows = db.session.execute(db.select(ScreeningEntry.phrase, ScreeningEntry.language, ScreeningEntry.category)
                                  .where(ScreeningEntry.active.is_(True)))
        entries = frozenset(Entry(r.phrase, r.language, r.category) for r in rows)
        # Another database (or a list changed back) with the same entries shares the built automaton.
        matcher = _matchers_by_content.get(entries)
        if matcher is None:
            matcher = Matcher(sorted(entries, key=lambda e: (e.language, e.category, e.phrase)))
        with _matcher_lock:
            if len(_matchers) > 64:
                _matchers.clear()
            if len(_matchers_by_content) > 8:
                _matchers_by_content.clear()
            _matchers[stamp] = matcher
            _matchers_by_content[entries] = matcher
    if has_request_context():
        g.screening_matcher = matcher
    return matcher


def screen(text: str | None) -> list[Match]:
    """Every active word or phrase of harm found in the text, with its category and place."""
    return current_matcher().find(text)


def forget_matcher() -> None:
    """After the list changes in this request."""
    _stamps.clear()
    if has_request_context():
        g.pop("screening_matcher", None)


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


# --- Who is told ------------------------------------------------------------------------------

def managers_for(review: Review) -> list[StaffUser]:
    """Active managers of the IRO's team, or every active manager when the team has none."""
    base = db.select(StaffUser).where(StaffUser.role == "manager", StaffUser.active.is_(True))
    iro = current_iro(review)
    managers = []
    if iro is not None and iro.team_id is not None:
        managers = list(db.session.scalars(base.where(StaffUser.team_id == iro.team_id).order_by(StaffUser.id)))
    return managers or list(db.session.scalars(base.order_by(StaffUser.id)))


def current_iro(review: Review) -> StaffUser | None:
    """The child's IRO now: who is told of and answers what the child writes, on any of their reviews.

    The same as the review's own IRO until the child moves to another IRO (portal.reviews.reassign);
    a review held before the move keeps the IRO who chaired it, but its open business is the new IRO's.
    """
    child = review.child
    return child.iro if child is not None else review.iro


def iro_can_be_reached(review: Review) -> bool:
    iro = current_iro(review)
    return bool(iro is not None and iro.active and iro.role == "iro" and (iro.email or "").strip())


def notice_recipients(review: Review, *, urgent: bool) -> list[str]:
    """The child's IRO; when they cannot be reached, the team's managers and the duty inbox.

    Urgent notices always go to the duty inbox as well.
    """
    recipients: list[str] = []
    reachable = iro_can_be_reached(review)
    if reachable:
        recipients.append(current_iro(review).email.strip())
    else:
        recipients += [m.email.strip() for m in managers_for(review) if (m.email or "").strip()]
    duty = (authority_settings().duty_inbox_email or "").strip()
    if duty and (urgent or not reachable):
        recipients.append(duty)
    unique: list[str] = []
    for recipient in recipients:
        if recipient.lower() not in {r.lower() for r in unique}:
            unique.append(recipient)
    return unique


def _notify(review: Review, template: str, *, urgent: bool) -> None:
    url = staff_url(URGENT_LIST_PATH if urgent else f"/reviews/{review.id}/booklet")
    for recipient in notice_recipients(review, urgent=urgent):
        # No name and no words of the child: the notice only says to sign in.
        queue_message("email", recipient, template, {"url": url}, review_id=review.id)


# --- Raising concerns -------------------------------------------------------------------------

@dataclass
class Screened:
    """What `report` found: the concern now open for the source (None when nothing worries)."""

    concern: UrgentConcern | None
    matches: list[Match]

    @property
    def urgent(self) -> bool:
        return self.concern is not None


def _open_concern_for(review: Review, source_kind: str, source_id: int) -> UrgentConcern | None:
    """The open concern still attached to this source (a deleted source's id may be reused by SQLite)."""
    return db.session.scalar(db.select(UrgentConcern).filter_by(
        review_id=review.id, source_kind=source_kind, source_id=source_id, acknowledged_at=None,
        source_removed_at=None).order_by(UrgentConcern.id).limit(1))


def report(review: Review, *, source_kind: str, source_id: int, label: str, text: str | None,
           unsafe_choice: bool = False, may_have_concern: bool = True) -> Screened:
    """Screen one piece of a child's words and raise (or update) the concern for it.

    `unsafe_choice` says the child chose an answer that is worrying in itself ("No, I do not feel
    safe"); `text` is then what they chose, in words. One open concern per source: later changes
    are kept beside the snapshot, never over it. `may_have_concern=False` (the source never raised
    one) saves looking for an open concern when nothing worries now. The caller commits.
    """
    matches = screen(text)
    worrying = bool(matches) or unsafe_choice
    open_concern = _open_concern_for(review, source_kind, source_id) if worrying or may_have_concern else None
    if not matches and not unsafe_choice:
        if open_concern is not None:
            _record_latest(open_concern, text, [])
        return Screened(None, [])
    if open_concern is not None:
        _record_latest(open_concern, text, matches)
        _add_categories(open_concern, matches)
        return Screened(open_concern, matches)
    return Screened(_raise(review, source_kind, source_id, label, text or "", matches, unsafe_choice), matches)


def _raise(review: Review, source_kind: str, source_id: int, label: str, text: str, matches: list[Match],
           unsafe_choice: bool) -> UrgentConcern:
    now = utcnow()
    hours = authority_settings().urgent_escalation_working_hours
    concern = UrgentConcern(review_id=review.id, source_kind=source_kind, source_id=source_id,
                            reason="unsafe_question" if unsafe_choice else "word_list", categories="",
                            snapshot_label=label or "", snapshot_text=text,
                            snapshot_matches=[m.as_dict() for m in matches], created_at=now,
                            escalate_after=add_working_hours(now, hours), acknowledgement_note="")
    _add_categories(concern, matches)
    db.session.add(concern)
    _forget_concern_counts()
    db.session.flush()
    _notify(review, "urgent_notice", urgent=True)
    record_event("urgent_raised", "urgent_concern", concern.id, detail=concern.reason, actor_kind="system")
    return concern


def _add_categories(concern: UrgentConcern, matches: list[Match]) -> None:
    known = concern.category_list
    for match in matches:
        if match.category not in known:
            known.append(match.category)
    concern.categories = ",".join(known)


def _record_latest(concern: UrgentConcern, text: str | None, matches: list[Match]) -> None:
    if concern.latest_text == text and concern.source_removed_at is None:
        return
    concern.latest_text = text
    concern.latest_matches = [m.as_dict() for m in matches]
    concern.latest_at = utcnow()
    concern.source_removed_at = None


def source_changed(source_kind: str, source_id: int, text: str | None) -> None:
    """The child changed or cleared the words of a source: note it beside every concern's snapshot."""
    for concern in db.session.scalars(db.select(UrgentConcern).filter_by(source_kind=source_kind,
                                                                         source_id=source_id,
                                                                         source_removed_at=None)):
        if text is None:
            concern.latest_text = None
            concern.latest_matches = []
            concern.latest_at = concern.source_removed_at = utcnow()
        else:
            _record_latest(concern, text, screen(text))


def sources_removed(source_kind: str, source_ids: list[int]) -> int:
    """The child deleted these (withdrawing a booklet): concerns and snapshots stay, marked so."""
    if not source_ids:
        return 0
    now = utcnow()
    concerns = list(db.session.scalars(db.select(UrgentConcern).where(
        UrgentConcern.source_kind == source_kind, UrgentConcern.source_id.in_(source_ids),
        UrgentConcern.source_removed_at.is_(None))))
    for concern in concerns:
        concern.latest_text = None
        concern.latest_matches = []
        concern.latest_at = concern.source_removed_at = now
    return len(concerns)


def concerns_for_review(review: Review, *, open_only: bool = False) -> list[UrgentConcern]:
    query = db.select(UrgentConcern).filter_by(review_id=review.id)
    if open_only:
        query = query.where(UrgentConcern.acknowledged_at.is_(None))
    return list(db.session.scalars(query.order_by(UrgentConcern.acknowledged_at.is_not(None),
                                                  UrgentConcern.created_at, UrgentConcern.id)))


# --- Acknowledging and escalating -------------------------------------------------------------

def open_concerns_query(user=None):
    """Unacknowledged concerns the user may see (the reviews `visible_reviews` gives them)."""
    query = db.select(UrgentConcern).where(UrgentConcern.acknowledged_at.is_(None))
    if user is not None:
        query = query.where(UrgentConcern.review_id.in_(visible_review_ids(user)))
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


def escalate_overdue_concerns(now: datetime | None = None) -> int:
    """Tell managers (and the duty inbox) of concerns nobody acknowledged in time, once each."""
    now = now or utcnow()
    overdue = [c for c in db.session.scalars(
        db.select(UrgentConcern).where(UrgentConcern.acknowledged_at.is_(None),
                                       UrgentConcern.escalated_at.is_(None)))
        if as_utc(c.escalate_after) <= now]
    url = staff_url(URGENT_LIST_PATH)
    for concern in overdue:
        recipients = [m.email for m in managers_for(concern.review) if (m.email or "").strip()]
        if not recipients:
            duty = (authority_settings().duty_inbox_email or "").strip()
            recipients = [duty] if duty else []
        for recipient in recipients:
            queue_message("email", recipient, "urgent_escalation", {"url": url}, review_id=concern.review_id)
        concern.escalated_at = now
        record_event("urgent_escalated", "urgent_concern", concern.id, actor_kind="system")
    return len(overdue)


# --- The child's messages ---------------------------------------------------------------------

def send_child_message(review: Review, body: str, *, submission_id: str | None = None,
                       link_id: int | None = None) -> tuple[ChildMessage, bool]:
    """Keep the child's message, screen it, tell the IRO (no content); once per submission.

    Returns the message and whether this call created it (False: that submission was already sent).
    The caller commits.
    """
    if submission_id:
        existing = db.session.scalar(db.select(ChildMessage).filter_by(submission_id=submission_id))
        if existing is not None:
            return existing, False
    # The same words again within minutes (Back, then Send on a restored page) are the same message.
    repeat = db.session.scalar(db.select(ChildMessage).where(
        ChildMessage.review_id == review.id, ChildMessage.body == body,
        ChildMessage.created_at >= utcnow() - REPEAT_WINDOW).limit(1))
    if repeat is not None:
        return repeat, False
    message = ChildMessage(review_id=review.id, body=body, submission_id=submission_id or None)
    db.session.add(message)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        # The unique submission id: another click of the same form won the race.
        if submission_id:
            existing = db.session.scalar(db.select(ChildMessage).filter_by(submission_id=submission_id))
            if existing is not None:
                return existing, False
        raise
    screened = report(review, source_kind="child_message", source_id=message.id, label="", text=body)
    message.urgent = screened.urgent
    if not screened.urgent:
        # An urgent concern has told the IRO already; every other message gets its own notice.
        _notify(review, "child_message_notice", urgent=False)
    db.session.execute(db.delete(MessageDraft).where(MessageDraft.review_id == review.id))
    record_event("create", "child_message", message.id, link_id=link_id)
    return message, True


def read_messages(review: Review, reader) -> list[ChildMessage]:
    """Every message the review's child sent (any of their reviews), newest first, as a staff member
    reads them: each read is audited, and the child's own IRO reading them marks them read."""
    child_reviews = db.select(Review.id).where(Review.child_id == review.child_id)
    messages = list(db.session.scalars(db.select(ChildMessage).where(ChildMessage.review_id.in_(child_reviews))
                                       .order_by(ChildMessage.created_at.desc(), ChildMessage.id.desc())))
    now = utcnow()
    for message in messages:
        record_event("read", "child_message", message.id)
        if message.read_at is None and reader.id == review.child.iro_id:
            message.read_at = now
    return messages


def save_message_draft(review: Review, body: str) -> MessageDraft:
    """Keep what the child is writing, as they write it; the caller commits."""
    draft = db.session.scalar(db.select(MessageDraft).filter_by(review_id=review.id))
    if draft is None:
        draft = MessageDraft(review_id=review.id, body="")
        db.session.add(draft)
    draft.body = body
    draft.updated_at = utcnow()
    db.session.flush()
    return draft


def message_draft(review: Review) -> str:
    return db.session.scalar(db.select(MessageDraft.body).filter_by(review_id=review.id)) or ""


def unread_message_counts(review_ids: list[int] | None = None) -> dict[int, int]:
    """Unread messages per review, in one query."""
    query = db.select(ChildMessage.review_id, db.func.count()).where(ChildMessage.read_at.is_(None))
    if review_ids is not None:
        if not review_ids:
            return {}
        query = query.where(ChildMessage.review_id.in_(review_ids))
    return {review_id: count for review_id, count in db.session.execute(query.group_by(ChildMessage.review_id))}


def child_flags(user) -> dict[int, dict[str, int]]:
    """Per child: unread messages and open concerns the user may see, in two queries."""
    flags: dict[int, dict[str, int]] = {}
    if not getattr(user, "is_authenticated", False) or user.role not in {"iro", "manager"}:
        return flags
    unread = db.select(Review.child_id, db.func.count(ChildMessage.id)).join(
        Review, Review.id == ChildMessage.review_id).where(ChildMessage.read_at.is_(None))
    concerns = open_concerns_query(user).order_by(None).subquery()
    urgent = db.select(Review.child_id, db.func.count()).join(concerns, concerns.c.review_id == Review.id)
    unread = unread.where(Review.id.in_(visible_review_ids(user)))
    for child_id, count in db.session.execute(unread.group_by(Review.child_id)):
        flags.setdefault(child_id, {"unread": 0, "urgent": 0})["unread"] = count
    for child_id, count in db.session.execute(urgent.group_by(Review.child_id)):
        flags.setdefault(child_id, {"unread": 0, "urgent": 0})["urgent"] = count
    return flags


# --- The word list ----------------------------------------------------------------------------

class ListError(ValueError):
    """A change to the list that cannot be made: args[0] says why ('empty', 'letters', 'category')."""


def normalise_phrase(phrase: str | None) -> str:
    """As the list keeps a phrase: lower case, single spaces."""
    return " ".join((phrase or "").split()).lower()


def find_entry(phrase: str | None, language: str) -> ScreeningEntry | None:
    """The entry for this phrase in this language, active or not."""
    return db.session.scalar(db.select(ScreeningEntry).filter_by(language=language, phrase=normalise_phrase(phrase)))


def language_name(code: str) -> str:
    """A list's language as the reader says it ('Welsh' to an English reader, 'Cymraeg' to a Welsh one)."""
    try:
        return Locale.parse(code).get_display_name(get_locale() or "en") or code
    except (ValueError, UnknownLocaleError):
        return code


def entries_by_category(language: str | None = None) -> dict[str, list[ScreeningEntry]]:
    """Every entry (in one language, or all), by category in the list's order, then language and phrase."""
    query = db.select(ScreeningEntry).order_by(ScreeningEntry.category, ScreeningEntry.language,
                                               ScreeningEntry.phrase)
    if language:
        query = query.filter_by(language=language)
    grouped: dict[str, list[ScreeningEntry]] = {category: [] for category in LOCAL_CATEGORIES}
    for entry in db.session.scalars(query):
        grouped.setdefault(entry.category, []).append(entry)
    return grouped


def active_count(category: str, language: str) -> int:
    return db.session.scalar(db.select(db.func.count(ScreeningEntry.id)).filter_by(
        category=category, language=language, active=True)) or 0


def empty_categories(languages) -> list[tuple[str, str]]:
    """(category, language) for each category with no active entry in a language, in the list's order.

    Nothing a child writes in that language is screened for that kind of harm.
    """
    present = {(row.category, row.language) for row in db.session.execute(
        db.select(ScreeningEntry.category, ScreeningEntry.language).where(ScreeningEntry.active.is_(True))
        .group_by(ScreeningEntry.category, ScreeningEntry.language))}
    return [(category, language) for category in CATEGORIES for language in languages
            if (category, language) not in present]


def would_empty_category(entry: ScreeningEntry) -> bool:
    """Disabling this entry leaves its category with no active entry in its language."""
    return entry.active and entry.category in CATEGORIES and active_count(entry.category, entry.language) <= 1


def add_entry(phrase: str, language: str, category: str, user) -> ScreeningEntry:
    """A local word or phrase; an existing one (even disabled) is restored instead of duplicated."""
    phrase = normalise_phrase(phrase)
    problem = phrase_problem(phrase)
    if problem == "empty":
        raise ListError("empty")
    if category not in LOCAL_CATEGORIES:
        raise ListError("category")
    if problem:
        raise ListError(problem)
    entry = find_entry(phrase, language)
    if entry is None:
        entry = ScreeningEntry(phrase=phrase, language=language, category=category, builtin=False, active=True,
                               changed_by_id=user.id)
        db.session.add(entry)
        db.session.flush()
        record_event("screening_entry_added", "screening_entry", entry.id, detail=f"{language}:{category}")
    else:
        set_active(entry, True, user)
    forget_matcher()
    return entry


def phrase_problem(phrase: str | None) -> str | None:
    """Why a phrase cannot go on the list ('empty', 'letters': fewer than two letters once folded), or None.

    Digits alone ('12 34') are not a word; in a word with a letter they read as letters ('k1ll').
    """
    phrase = normalise_phrase(phrase)
    if not phrase:
        return "empty"
    if sum(ch.isalpha() for ch in folded_key(phrase)) < 2:
        return "letters"
    return None


def set_active(entry: ScreeningEntry, active: bool, user) -> None:
    """Disable or restore an entry (built-in entries are never deleted, only disabled)."""
    if entry.active == active:
        return
    entry.active = active
    entry.changed_at = utcnow()
    entry.changed_by_id = user.id
    record_event("screening_entry_restored" if active else "screening_entry_disabled", "screening_entry",
                 entry.id, detail=f"{entry.language}:{entry.category}")
    forget_matcher()


# --- When children move to another IRO --------------------------------------------------------

# The notices addressed to the child's IRO (escalations go to managers, who stay who they were).
IRO_NOTICES = ("urgent_notice", "child_message_notice")


def follow_new_iro(child_ids: list[int], from_iro_ids: list[int], to_iro: StaffUser) -> int:
    """Children moved to `to_iro` (portal.reviews.hooks.children_reassigned): the notices about them still
    waiting to be sent to an old IRO go to the new one. Open concerns and unread messages need no change:
    they belong to the child's reviews, and the child's IRO now answers them (see `current_iro`).
    Notices already sent stay as they were. Returns how many notices were re-addressed."""
    if not child_ids or not from_iro_ids:
        return 0
    old_addresses = [email.strip().lower() for email in db.session.scalars(
        db.select(StaffUser.email).where(StaffUser.id.in_(from_iro_ids))) if (email or "").strip()]
    new_address = (to_iro.email or "").strip()
    if not old_addresses or not new_address:
        return 0
    reviews = db.select(Review.id).where(Review.child_id.in_(child_ids))
    waiting = list(db.session.scalars(db.select(OutboxMessage).where(
        OutboxMessage.status == "pending", OutboxMessage.template.in_(IRO_NOTICES),
        OutboxMessage.review_id.in_(reviews), db.func.lower(OutboxMessage.recipient).in_(old_addresses))
        .order_by(OutboxMessage.id)))
    for message in waiting:
        message.recipient = new_address
        record_event("notice_readdressed", "outbox_message", message.id, detail=f"to={to_iro.id}")
    _forget_concern_counts()
    return len(waiting)

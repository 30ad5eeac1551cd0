"""The letter's rules as plain functions: drafting, saving, issuing, versions, due dates, what the child reads.

The caller commits. A draft is saved with one conditional UPDATE (the page says which `version_counter`
it loaded), so a stale page or a second device never overwrites a newer save. An issued version never
changes again; a correction is the next version, and needs a reason. The letter is due a number of
working days (the authority's setting) after the review was held.

This area may not import the booklet: what the child shared is passed in by the caller as
(section title, text) lines.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from flask_babel import force_locale, format_date, gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from portal.audit import record_event
from portal.extensions import db
from portal.letters.models import DRAFT, ISSUED, TEXT_FIELDS, Letter, LetterAction, LetterVersion
from portal.reviews.dates import BankHolidayDataExhausted, record_due_date, review_due_date, working_days_between
from portal.reviews.models import Review
from portal.reviews.workspace import held_date, held_reviews, planned_reviews
from portal.security import register_review_path
from portal.settings import authority_settings
from portal.staff.models import StaffUser
from portal.timeutil import LONDON, as_utc, london_date, today, utcnow

# The longest a part of the letter may be (a long letter is a few thousand characters in all).
MAX_FIELD_CHARS = 10_000
MAX_ACTIONS = 30
# "Due soon" within this many working days of the due date.
DUE_SOON_WORKING_DAYS = 5
LONG_DATE = "d MMMM y"

FIELD_LABELS = {
    "greeting": _l("Greeting"),
    "who_came": _l("Who came"),
    "what_you_told_us": _l("What you told us"),
    "going_well": _l("What is going well"),
    "worries": _l("What people are worried about"),
    "actions": _l("What will happen next"),
    "next_review_text": _l("When your next review is"),
    "contact_text": _l("How to get in touch with me"),
}

# `lateness` answers with one of these (or None), and pages show the label.
ISSUED_ON_TIME, ISSUED_LATE, DUE_SOON, LATE = "issued on time", "issued late", "due soon", "late"
LATENESS_LABELS = {
    ISSUED_ON_TIME: _l("Issued on time"),
    ISSUED_LATE: _l("Issued late"),
    DUE_SOON: _l("Due soon"),
    LATE: _l("Late"),
}

register_review_path(Letter, lambda letter: letter.review_id)
register_review_path(LetterVersion, lambda version: version.letter.review_id)
register_review_path(LetterAction, lambda action: action.version.letter.review_id)


class LetterError(ValueError):
    """A change to a letter that the rules refuse."""


class ReviewNotHeld(LetterError):
    """The letter is the record of a review that took place."""


class VersionIssued(LetterError):
    """An issued version never changes: a correction is a new version."""


class ReasonNeeded(LetterError):
    """A correction (version 2 onwards) says why it was made."""


@dataclass(frozen=True)
class Saved:
    """The draft as stored now, and the counter the page should send with its next save."""

    version: LetterVersion
    counter: int


@dataclass(frozen=True)
class Conflict:
    """The draft changed since the page loaded it (another tab or device): nothing was saved."""

    theirs: LetterVersion

    @property
    def counter(self) -> int:
        return self.theirs.version_counter


@dataclass(frozen=True)
class ActionLine:
    what: str
    who: str = ""
    by_when: date | None = None


# --- Getting a letter and its draft ---------------------------------------------------------------

def _check_held(review: Review) -> None:
    if review.status != "held":
        raise ReviewNotHeld(gettext("The letter is written after the review has been held"))


def letter_for(review: Review) -> Letter:
    """The review's letter, made if it has none yet (flushes)."""
    letter = db.session.scalar(db.select(Letter).filter_by(review_id=review.id))
    if letter is not None:
        return letter
    try:
        with db.session.begin_nested():
            letter = Letter(review_id=review.id)
            db.session.add(letter)
    except IntegrityError:
        # Made meanwhile by another request: use theirs.
        letter = db.session.scalar(db.select(Letter).filter_by(review_id=review.id))
    return letter


def _versions(letter: Letter) -> list[LetterVersion]:
    return list(db.session.scalars(db.select(LetterVersion).filter_by(letter_id=letter.id)
                                   .order_by(LetterVersion.number)))


def current_draft(review: Review) -> LetterVersion | None:
    """The draft being written, if there is one."""
    return db.session.scalar(db.select(LetterVersion).join(Letter).where(Letter.review_id == review.id,
                                                                         LetterVersion.status == DRAFT))


def told_us_text(lines: Iterable[tuple[str, str]]) -> str:
    """What the child shared, one line per (section title, text): "School: I like art"."""
    out = []
    for title, text in lines:
        text = " ".join((text or "").split())
        if not text:
            continue
        title = " ".join((title or "").split())
        out.append(f"{title}: {text}" if title else text)
    return "\n".join(out)


def next_review_text(review: Review) -> str:
    """When the child's next review is: the planned one's day, else the latest day the rules allow."""
    child = review.child
    day = held_date(review)
    later = [r for r in planned_reviews(child) if r.id != review.id and london_date(r.meeting_at) > day]
    with force_locale(child.preferred_language or "en"):
        if later:
            return gettext("Your next review is on %(date)s.",
                           date=format_date(london_date(later[0].meeting_at), LONG_DATE))
        held_so_far = [r for r in held_reviews(child) if held_date(r) <= day]
        try:
            due = review_due_date(came_into_care=child.came_into_care, previous_review_held=day,
                                  reviews_held=max(len(held_so_far), 1))
        except BankHolidayDataExhausted:
            return ""
        return gettext("Your next review will be by %(date)s.", date=format_date(due, LONG_DATE))


def contact_text(review: Review) -> str:
    iro = review.iro
    with force_locale(review.child.preferred_language or "en"):
        ways = [way for way in (iro.phone, iro.email) if way]
        if not ways:
            return gettext("You can talk to me, %(name)s, about anything in this letter.", name=iro.name)
        # "get in touch", not "contact": the glossary flags "contact" (the care word for family time).
        return gettext("You can get in touch with me, %(name)s, on %(ways)s.", name=iro.name,
                       ways=gettext(" or ").join(ways))


def _first_version(letter: Letter, review: Review, author: StaffUser,
                   told_us: Iterable[tuple[str, str]]) -> LetterVersion:
    child = review.child
    with force_locale(child.preferred_language or "en"):
        greeting = gettext("Dear %(name)s", name=child.preferred_name)
    return LetterVersion(letter_id=letter.id, number=1, status=DRAFT, greeting=greeting,
                         what_you_told_us=told_us_text(told_us), next_review_text=next_review_text(review),
                         contact_text=contact_text(review), author_id=author.id)


def _copy_of(issued: LetterVersion, author: StaffUser) -> LetterVersion:
    copy = LetterVersion(letter_id=issued.letter_id, number=issued.number + 1, status=DRAFT, author_id=author.id,
                         **{name: getattr(issued, name) for name in TEXT_FIELDS})
    copy.actions = [LetterAction(position=a.position, what=a.what, who=a.who, by_when=a.by_when)
                    for a in issued.actions]
    return copy


def draft(review: Review, author: StaffUser, told_us: Iterable[tuple[str, str]] = ()) -> LetterVersion:
    """The draft to write in: the current one; else a correction copied from the latest issued version
    (its number + 1); else version 1, pre-filled (greeting, what the child shared, next review, contact).

    `told_us` is what the child agreed to share, as (section title, text) lines; it is used only for
    version 1. Flushes; the caller commits.
    """
    _check_held(review)
    letter = letter_for(review)
    existing = current_draft(review)
    if existing is not None:
        return existing
    versions = _versions(letter)
    version = _copy_of(versions[-1], author) if versions else _first_version(letter, review, author, told_us)
    try:
        with db.session.begin_nested():
            db.session.add(version)
    except IntegrityError:
        # Another request started the draft at the same moment: theirs is the draft.
        existing = current_draft(review)
        if existing is None:
            raise
        return existing
    record_event("letter_drafted", "review", review.id, detail=f"v{version.number}")
    return version


# --- Saving a draft -------------------------------------------------------------------------------

def _clean(name: str, value) -> str:
    if name not in TEXT_FIELDS:
        raise LetterError(f"A letter has no part called {name!r}")
    text = "" if value is None else str(value)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    if len(text) > MAX_FIELD_CHARS:
        raise LetterError(gettext("Each part of the letter can be up to %(num)d characters", num=MAX_FIELD_CHARS))
    return text


def save_draft(version: LetterVersion, expected_counter: int, **fields) -> Saved | Conflict:
    """Save parts of a draft if nobody saved it since the page loaded `expected_counter`.

    One statement checks and writes: UPDATE letter_version SET ..., version_counter = version_counter + 1
    WHERE id = :id AND status = 'draft' AND version_counter = :seen. An issued version raises VersionIssued.
    """
    columns = {name: _clean(name, value) for name, value in fields.items()}
    if version.status == ISSUED:
        raise VersionIssued(gettext("This letter has been issued: to change it, start a correction"))
    statement = (db.update(LetterVersion)
                 .where(LetterVersion.id == version.id, LetterVersion.status == DRAFT,
                        LetterVersion.version_counter == expected_counter)
                 .values(version_counter=LetterVersion.version_counter + 1, updated_at=utcnow(), **columns)
                 .returning(LetterVersion))
    written = db.session.scalars(statement, execution_options={"populate_existing": True,
                                                               "synchronize_session": False}).first()
    if written is not None:
        return Saved(written, written.version_counter)
    db.session.refresh(version)
    if version.status == ISSUED:
        raise VersionIssued(gettext("This letter has been issued: to change it, start a correction"))
    return Conflict(version)


def _action_line(item: ActionLine | Mapping | tuple) -> ActionLine:
    if isinstance(item, ActionLine):
        return item
    if isinstance(item, Mapping):
        return ActionLine(item.get("what") or "", item.get("who") or "", item.get("by_when"))
    return ActionLine(*item)


def set_actions(version: LetterVersion, actions: Iterable[ActionLine | Mapping | tuple]) -> list[LetterAction]:
    """Replace the draft's actions (what, who, by when), in order; blank lines are left out."""
    if version.status == ISSUED:
        raise VersionIssued(gettext("This letter has been issued: to change it, start a correction"))
    lines = [line for line in map(_action_line, actions) if (line.what or "").strip() or (line.who or "").strip()]
    if len(lines) > MAX_ACTIONS:
        raise LetterError(gettext("A letter can list up to %(num)d things that will happen next", num=MAX_ACTIONS))
    for line in lines:
        if len(line.what or "") > MAX_FIELD_CHARS or len(line.who or "") > 200:
            raise LetterError(gettext("An action is too long"))
        if line.by_when is not None and not isinstance(line.by_when, date):
            raise LetterError(gettext("Give 'by when' as a date"))
    version.actions.clear()
    db.session.flush()
    version.actions.extend(LetterAction(position=number, what=line.what.strip(), who=(line.who or "").strip(),
                                        by_when=line.by_when) for number, line in enumerate(lines, start=1))
    version.updated_at = utcnow()
    db.session.flush()
    return list(version.actions)


# --- Issuing --------------------------------------------------------------------------------------

def issue(version: LetterVersion, author: StaffUser, reason: str | None = None) -> LetterVersion:
    """Fix the draft as issued, by `author`, now. A correction (version 2 onwards) needs a reason.

    Issued with one conditional UPDATE (WHERE status = 'draft'), so two clicks issue it once.
    """
    reason = (reason or "").strip() or None
    if version.status == ISSUED:
        raise VersionIssued(gettext("This version has already been issued"))
    _check_held(version.letter.review)
    if version.number > 1 and reason is None:
        raise ReasonNeeded(gettext("Say why the letter is being corrected"))
    db.session.flush()
    statement = (db.update(LetterVersion)
                 .where(LetterVersion.id == version.id, LetterVersion.status == DRAFT)
                 .values(status=ISSUED, issued_at=utcnow(), issued_by_id=author.id, correction_reason=reason,
                         version_counter=LetterVersion.version_counter + 1)
                 .returning(LetterVersion))
    written = db.session.scalars(statement, execution_options={"populate_existing": True,
                                                               "synchronize_session": False}).first()
    if written is None:
        raise VersionIssued(gettext("This version has already been issued"))
    record_event("letter_issued", "review", version.letter.review_id, detail=f"v{written.number}")
    return written


# --- Reading --------------------------------------------------------------------------------------

def _issued(review: Review):
    return (db.select(LetterVersion).join(Letter)
            .where(Letter.review_id == review.id, LetterVersion.status == ISSUED))


def latest_issued(review: Review) -> LetterVersion | None:
    """What the child reads: the newest issued version (None before the first is issued)."""
    return db.session.scalar(_issued(review).order_by(LetterVersion.number.desc()).limit(1))


def history(review: Review) -> list[LetterVersion]:
    """Every issued version, newest first."""
    return list(db.session.scalars(_issued(review).order_by(LetterVersion.number.desc())))


def first_issued(review: Review) -> LetterVersion | None:
    """The first issued version: the one whose date says whether the letter was on time."""
    return db.session.scalar(_issued(review).order_by(LetterVersion.number).limit(1))


@dataclass(frozen=True)
class FieldDifference:
    """One part of the letter in two versions: its lines as ('same' | 'removed' | 'added', text)."""

    field: str
    label: object
    changed: bool
    lines: tuple[tuple[str, str], ...]


def _action_lines(version: LetterVersion) -> list[str]:
    return [" — ".join(part for part in (a.what, a.who, a.by_when.isoformat() if a.by_when else "") if part)
            for a in version.actions]


def _line_changes(old: list[str], new: list[str]) -> tuple[tuple[str, str], ...]:
    out: list[tuple[str, str]] = []
    for op, a1, a2, b1, b2 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if op == "equal":
            out += [("same", line) for line in old[a1:a2]]
        else:
            out += [("removed", line) for line in old[a1:a2]]
            out += [("added", line) for line in new[b1:b2]]
    return tuple(out)


def differences(older: LetterVersion, newer: LetterVersion) -> list[FieldDifference]:
    """Part by part, what changed from one version to another (the actions as one part)."""
    result = []
    for name in (*TEXT_FIELDS[:5], "actions", *TEXT_FIELDS[5:]):
        if name == "actions":
            old, new = _action_lines(older), _action_lines(newer)
        else:
            old, new = (getattr(older, name) or "").split("\n"), (getattr(newer, name) or "").split("\n")
        result.append(FieldDifference(name, FIELD_LABELS[name], old != new, _line_changes(old, new)))
    return result


# --- When it is due -------------------------------------------------------------------------------

def due_date(review: Review) -> date | None:
    """The day the letter is due: the day the review was held plus the authority's working days.
    None when the review was not held, or the day lies past the packaged bank holiday list."""
    if review.status != "held":
        return None
    try:
        return record_due_date(held_date(review), authority_settings().record_working_days)
    except BankHolidayDataExhausted:
        return None


def lateness(review: Review, on: date | None = None) -> str | None:
    """'issued on time', 'issued late', 'due soon' (within 5 working days), 'late', or None (not held,
    or not due yet). Timeliness counts the first issued version: a correction does not make it late."""
    due = due_date(review)
    if due is None:
        return None
    first = first_issued(review)
    if first is not None:
        issued_day = as_utc(first.issued_at).astimezone(LONDON).date()
        return ISSUED_ON_TIME if issued_day <= due else ISSUED_LATE
    day = on or today()
    if day > due:
        return LATE
    try:
        left = working_days_between(day, due)
    except BankHolidayDataExhausted:
        return None
    return DUE_SOON if left <= DUE_SOON_WORKING_DAYS else None

"""Where a review's booklet is up to, whether the invitation was late, and the likely PN code."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from flask import has_request_context
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from portal.booklet.models import Booklet, BookletAnswer
from portal.booklet.services import MIN_AGE
from portal.extensions import db
from portal.questionnaires.navigation import DONE, FINISHED, NOT_STARTED, STARTED
from portal.questionnaires.navigation import section_status as answered_status
from portal.questionnaires.schema import QuestionSet, Section
from portal.reviews.models import Review
from portal.reviews.services import age_on
from portal.reviews.workspace import invitation_late, invite_by
from portal.settings import authority_settings
from portal.timeutil import london_date

STATUSES = ("none", "not_sent", "sent", "opened", "started", "returned", "withdrawn")
LABELS = {
    "none": _l("No booklet (under 4)"),
    "not_sent": _l("Not sent"),
    "sent": _l("Sent"),
    "opened": _l("Opened"),
    "started": _l("Started"),
    "returned": _l("Returned"),
    "withdrawn": _l("Withdrawn by the child"),
}
# GOV.UK tag colours; the words always say the status too.
TAG_CLASSES = {
    "none": "govuk-tag--grey",
    "not_sent": "govuk-tag--grey",
    "sent": "govuk-tag--blue",
    "opened": "govuk-tag--light-blue",
    "started": "govuk-tag--yellow",
    "returned": "govuk-tag--green",
    "withdrawn": "govuk-tag--orange",
}
ATTENDING = {"in_person", "online", "part"}


def _booklet(review: Review) -> Booklet | None:
    return review.booklet


def under_four(review: Review) -> bool:
    """Under 4 on the meeting day: no booklet, PN0."""
    return age_on(review.child.date_of_birth, london_date(review.meeting_at)) < MIN_AGE


def booklet_status(review: Review) -> str:
    """One of STATUSES, from the booklet's own dates."""
    if under_four(review):
        return "none"
    booklet = _booklet(review)
    if booklet is None:
        return "not_sent"
    if booklet.withdrawn_at:
        return "withdrawn"
    if booklet.returned_at:
        return "returned"
    if booklet.started_at:
        return "started"
    if booklet.opened_at:
        return "opened"
    if booklet.invited_at:
        return "sent"
    return "not_sent"


# --- The child's parts: Done, Started, Not started ------------------------------------------------

def part_status(section: Section, answers: Mapping, seen: set[str]) -> str:
    """'done' once the child has been through the part (saved it, even with its boxes left empty) or has
    answered all of it; 'started' when something is answered (saved as they typed) but the part was never
    saved; otherwise 'not_started'."""
    if section.key in seen or answered_status(section, answers) in FINISHED:
        return DONE
    if any(question.key in answers for question in section.questions):
        return STARTED
    return NOT_STARTED


def part_statuses(qs: QuestionSet, answers: Mapping, seen: set[str]) -> list[tuple[Section, str]]:
    return [(section, part_status(section, answers, seen)) for section in qs.sections]


def next_part(qs: QuestionSet, answers: Mapping, seen: set[str]) -> Section | None:
    """Where Continue goes: the first part not done yet; None when every part is (then: check and send)."""
    return next((s for s, status in part_statuses(qs, answers, seen) if status != DONE), None)


@dataclass(frozen=True)
class Step:
    """One step of the progress path: a part, or sending the booklet at the end."""

    key: str
    title: object
    done: bool
    current: bool
    picture: str = ""


SEND_STEP = "send"


def progress_path(qs: QuestionSet, answers: Mapping, seen: set[str], *, current: str | None,
                  sent: bool) -> list[Step]:
    """The steps along the top of the child's pages (one per part, then 'Send'), filled in as parts are done."""
    steps = [Step(section.key, section.title, status == DONE, section.key == current, section.picture)
             for section, status in part_statuses(qs, answers, seen)]
    steps.append(Step(SEND_STEP, _l("Send"), sent, current == SEND_STEP))
    return steps


def status_label(status: str) -> str:
    """The status in words, in the reader's language (English outside a request)."""
    if not has_request_context():
        with force_locale("en"):
            return str(LABELS.get(status, status))
    return str(LABELS.get(status, status))


def status_tag_class(status: str) -> str:
    return TAG_CLASSES.get(status, "govuk-tag--grey")


def invite_by_date(review: Review) -> date | None:
    """The last day the invitation can go out with the authority's notice period (the reviews area's rule)."""
    return invite_by(review, authority_settings().invitation_working_days)


def invitation_is_late(review: Review, booklet: Booklet | None = None) -> bool:
    """Sent after the invite-by date (or not sent and that date has passed): the reviews area's rule."""
    booklet = booklet if booklet is not None else _booklet(review)
    sent = london_date(booklet.invited_at) if booklet is not None and booklet.invited_at is not None else None
    return invitation_late(invite_by_date(review), sent if sent is not None else review.status != "planned")


def _answer(booklet: Booklet, key: str) -> str | None:
    return db.session.scalar(db.select(BookletAnswer.value_choice)
                             .filter_by(booklet_id=booklet.id, question_key=key, state="answered"))


def suggested_participation_code(review: Review) -> str | None:
    """A starting point for the IRO's PN code; None when only the meeting itself can tell."""
    if under_four(review):
        return "PN0"
    booklet = _booklet(review)
    returned = booklet is not None and booklet.returned_at is not None and booklet.withdrawn_at is None
    attend = _answer(booklet, "attend") if booklet is not None else None
    if returned:
        if attend == "someone_speaks":
            return "PN5"
        if attend == "not_attending":
            return "PN6"
        if attend in ATTENDING:
            # The IRO decides PN1-PN4 from what happened; speaking for themselves is the usual case.
            return "PN1"
        return None
    if attend == "someone_speaks":
        return "PN5"
    if attend == "not_attending":
        return "PN7"
    return None

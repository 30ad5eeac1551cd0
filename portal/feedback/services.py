"""Feedback rules: finding the invitation behind a link, sending a form once, and what a response keeps.

Anonymous for real: a response keeps the review, the group, the kind of meeting, the agency (for a
professional), the form version and the Monday of the week it came in; nothing about who sent it or
exactly when. The invitation only learns *that* it was used, in one conditional UPDATE, so a second
submit (a double click, the back button, two tabs) stores nothing and is told kindly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import update

from portal.extensions import db
from portal.feedback import comments
from portal.feedback.models import AGENCIES, FeedbackAnswer, FeedbackFormVersion, FeedbackInvitation, FeedbackResponse
from portal.feedback.questions import AGENCY_KEY, comment_keys, current_version, question_set
from portal.links.models import PrivateLink
from portal.questionnaires.answers import fingerprint, read_posted
from portal.questionnaires.schema import ANSWERED, QuestionSet
from portal.reviews.dates import review_number
from portal.reviews.models import Review
from portal.safeguarding import services as safeguarding
from portal.timeutil import as_utc, today, utcnow

SOURCE_KIND = "feedback_answer"
YOUNG_PERSON_REF = "young-person"
# Which link audience answers which form.
GROUP_FOR_AUDIENCE = {"parent": "parent_carer", "professional": "professional", "child": "young_person"}
HANDOVER_SESSION_KEY = "feedback_handover"


@dataclass
class Submitted:
    response: FeedbackResponse
    urgent: bool = False


@dataclass
class AlreadySent:
    """The form was sent before (this is a second submit): nothing stored."""


@dataclass
class Invalid:
    """Something to put right; `fields` redraws the form with what was typed and the messages."""

    fields: dict
    errors: list[dict] = field(default_factory=list)


# --- Invitations ------------------------------------------------------------------------------

def invitation_for_link(link: PrivateLink) -> FeedbackInvitation | None:
    """The invitation a parent's or professional's feedback link was sent for."""
    if link.review_id is None or not link.recipient_ref:
        return None
    return db.session.scalar(db.select(FeedbackInvitation).filter_by(
        review_id=link.review_id, recipient_ref=link.recipient_ref).order_by(FeedbackInvitation.id.desc()).limit(1))


def link_form_is_closed(link: PrivateLink) -> bool:
    """A link's form is closed once its invitation came back (or there is none)."""
    invitation = invitation_for_link(link)
    return invitation is None or invitation.returned


def young_person_invitation(review: Review, *, make: bool = True) -> FeedbackInvitation | None:
    """The young person's invitation for a held review: they answer through their own link, so it needs
    no address. Made on first need (flushes; the caller commits)."""
    invitation = db.session.scalar(db.select(FeedbackInvitation).filter_by(
        review_id=review.id, group="young_person", recipient_ref=YOUNG_PERSON_REF).order_by(FeedbackInvitation.id)
        .limit(1))
    if invitation is None and make and review.status == "held":
        invitation = FeedbackInvitation(review_id=review.id, group="young_person", recipient_ref=YOUNG_PERSON_REF,
                                        channel="child_link", remind_on=None, returned=False)
        db.session.add(invitation)
        db.session.flush()
    return invitation


def young_person_offer(review: Review) -> bool:
    """Whether to offer the young person the feedback form: the review is held and they have not sent it."""
    if review.status != "held":
        return False
    invitation = young_person_invitation(review, make=False)
    return invitation is None or not invitation.returned


# --- The response -----------------------------------------------------------------------------

def week_starting(day: date) -> date:
    """The Monday of the week (London dates)."""
    return day - timedelta(days=day.weekday())


def meeting_kind(review: Review) -> str | None:
    """'first', 'second' or 'subsequent': how many of the child's reviews were held before this one."""
    if review.status != "held" or review.held_at is None:
        return None
    held_at = as_utc(review.held_at)
    before = sum(1 for other in review.child.reviews
                 if other.id != review.id and other.status == "held" and other.held_at is not None
                 and as_utc(other.held_at) < held_at)
    return review_number(before)


def version_for_post(group: str, form) -> FeedbackFormVersion:
    """The version the page showed (posted as `form_version`), when it is this group's; else the current one."""
    posted = str(form.get("form_version", ""))
    if posted.isdigit():
        version = db.session.get(FeedbackFormVersion, int(posted))
        if version is not None and version.group == group:
            return version
    return current_version(group)


def blank_fields(questions: QuestionSet) -> dict:
    return {q.key: _field("none", None) for q in questions.questions}


def _field(state: str, value: str | None, error: str | None = None) -> dict:
    return {"state": state, "value": value or "", "version": 0, "loaded": fingerprint(state, value), "error": error,
            "conflict": None}


def read_form(questions: QuestionSet, form) -> tuple[dict, dict, list[dict]]:
    """(values by key, fields to redraw, errors) from a posted form; a question not answered is left out."""
    values, fields, errors = {}, {}, []
    for question in questions.questions:
        posted = read_posted(question, form)
        value = posted.value if posted is not None and posted.state == ANSWERED else None
        error = question.answer_kind.validate(question, value)
        fields[question.key] = _field("answered" if value else "none", value, error)
        if error:
            errors.append({"text": error, "href": f"#q-{question.key}"})
        elif value:
            values[question.key] = value
    return values, fields, errors


def submit(link: PrivateLink, form) -> Submitted | AlreadySent | Invalid:
    """A parent's or professional's form, posted through their link."""
    invitation = invitation_for_link(link)
    if invitation is None:
        return AlreadySent()
    return submit_invitation(invitation, form)


def submit_invitation(invitation: FeedbackInvitation, form) -> Submitted | AlreadySent | Invalid:
    """Store a form once: check it, mark the invitation used in one conditional UPDATE, and only when that
    changed a row store the response and its answers (same transaction; the caller commits)."""
    version = version_for_post(invitation.group, form)
    questions = question_set(version)
    values, fields, errors = read_form(questions, form)
    if errors:
        return Invalid(fields, errors)
    marked = db.session.execute(
        update(FeedbackInvitation).where(FeedbackInvitation.id == invitation.id,
                                         FeedbackInvitation.returned.is_(False))
        .values(returned=True).execution_options(synchronize_session=False))
    if marked.rowcount != 1:
        return AlreadySent()
    return Submitted(*_store(invitation, version, questions, values))


def _store(invitation: FeedbackInvitation, version: FeedbackFormVersion, questions: QuestionSet,
           values: dict) -> tuple[FeedbackResponse, bool]:
    review = invitation.review
    agency = values.get(AGENCY_KEY) if invitation.group == "professional" else None
    response = FeedbackResponse(review_id=review.id, group=invitation.group, meeting_kind=meeting_kind(review),
                                agency=agency if agency in AGENCIES else None, form_version_id=version.id,
                                week_starting=week_starting(today()))
    db.session.add(response)
    analysed = comment_keys(version)
    themes = comments.active_themes() if analysed & set(values) else []
    for question in questions.questions:
        if question.key not in values:
            continue
        answer = FeedbackAnswer(question_key=question.key)
        answer.put(question, ANSWERED, values[question.key])
        if question.key in analysed:
            analysis = comments.analyse(values[question.key], themes)
            answer.sentiment, answer.themes = analysis.sentiment, comments.themes_text(analysis.themes)
        response.answers.append(answer)
    db.session.flush()
    urgent = False
    for answer in response.answers:
        question = questions.question(answer.question_key)
        if question.is_free_text:
            screened = safeguarding.report(review, source_kind=SOURCE_KIND, source_id=answer.id,
                                           label=str(question.prompt), text=answer.value_text,
                                           may_have_concern=False)
            answer.urgent = screened.urgent
            urgent = urgent or screened.urgent
    return response, urgent


# --- Handing the device to a parent at the meeting ----------------------------------------------

def _as_timestamp(value) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return as_utc(datetime.fromisoformat(value)).timestamp()
        except ValueError:
            return None
    return None


def handover_locks(state, link_id: int | None = None, now: float | None = None) -> bool:
    """Whether the session's handover (set by the IRO's "Hand to parent or carer") locks this page: it is
    live, and for this link when one is named."""
    if not isinstance(state, dict):
        return False
    until = _as_timestamp(state.get("until"))
    now = utcnow().timestamp() if now is None else now
    if until is None or until <= now:
        return False
    return link_id is None or state.get("link_id") == link_id

"""The rules of parents' and carers' views before the review, as plain functions tests call directly.

Asking a person (a private link by email or text, the address kept only while the review is planned),
finding their consultation from their link, saving their answers without overwriting a newer one,
screening every free text (portal.safeguarding.services.report), sending, and reading them back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy.exc import IntegrityError
from werkzeug.datastructures import MultiDict

from portal.audit import record_event
from portal.consultation.models import ConsultationAnswer, ParentConsultation
from portal.consultation.questions import CURRENT_SET, SECTION, question_set
from portal.extensions import db
from portal.links.models import PrivateLink
from portal.links.services import issue_link, link_url, short_url
from portal.outbox.services import mask_address, normalise_address, queue_message
from portal.questionnaires.answers import Posted, answer_in_words, fingerprint, read_posted, stored_value
from portal.questionnaires.schema import ANSWERED, Question
from portal.reviews.models import Review
from portal.safeguarding import services as safeguarding
from portal.timeutil import as_utc, utcnow

PURPOSE, AUDIENCE = "parent_consultation", "parent"
# How the safeguarding record names a parent's answer.
SOURCE_KIND = "consultation_answer"
CHANNELS = ("email", "sms")
# A parent's page locks after this long unused (a shared or borrowed phone).
IDLE_MINUTES = 30.0
# The link keeps working a while after the meeting, only to say plainly that the form is closed.
LINK_DAYS_AFTER_MEETING = 60
DESCRIPTION_MAX = 120
RECIPIENT_PREFIX = "parent-"
# How many times asking one more person tries the next free recipient id when two IROs ask at once.
ATTEMPTS = 3
DEMO_DESCRIPTION = "Mum"
# What a parent wrote when their page had locked: kept in their own (server-side) session, never shown
# on screen, saved after they press Start again on their link.
DRAFT_SESSION_KEY = "pending_parent_views"
DRAFT_SALT = "parent-views-draft"
DRAFT_MAX_AGE = 3600
REF_FIELD = "consultation_ref"


class ConsultationError(ValueError):
    """What the IRO asked for cannot be done; the message says why, in words."""


# --- Addresses ----------------------------------------------------------------------------------

def contact_hint(consultation: ParentConsultation) -> str | None:
    """Where the link went, masked; None once the address is deleted (or for a demo's link)."""
    if consultation.contact_channel not in CHANNELS or not consultation.contact_address:
        return None
    masked = mask_address(consultation.contact_channel, consultation.contact_address)
    if consultation.contact_channel == "sms":
        return _("Text message to %(address)s", address=masked)
    return _("Email to %(address)s", address=masked)


# --- Asking -------------------------------------------------------------------------------------

def is_open(review: Review | None) -> bool:
    """Views are taken until the review is held or cancelled."""
    return review is not None and review.status == "planned"


def consultations_for(review: Review) -> list[ParentConsultation]:
    return list(db.session.scalars(db.select(ParentConsultation).filter_by(review_id=review.id)
                                   .order_by(ParentConsultation.id)))


def _next_recipient_ref(review: Review) -> str:
    refs = db.session.scalars(db.select(ParentConsultation.recipient_ref).filter_by(review_id=review.id))
    numbers = [int(ref.removeprefix(RECIPIENT_PREFIX)) for ref in refs
               if ref.startswith(RECIPIENT_PREFIX) and ref.removeprefix(RECIPIENT_PREFIX).isdigit()]
    return f"{RECIPIENT_PREFIX}{max(numbers, default=0) + 1}"


def _new_consultation(review: Review, description: str) -> ParentConsultation:
    """A consultation with the next free recipient id; two IROs asking at once each get their own."""
    for _attempt in range(ATTEMPTS):
        consultation = ParentConsultation(review=review, review_id=review.id, description=description,
                                          recipient_ref=_next_recipient_ref(review))
        try:
            with db.session.begin_nested():
                db.session.add(consultation)
        except IntegrityError:
            continue
        return consultation
    raise ConsultationError(_l("Someone else was asking at the same moment. Please try again."))


def issue_consultation_link(consultation: ParentConsultation) -> tuple[str, str]:
    """A new link for this person (their earlier links stop; nobody else's do): its URL and short URL."""
    expires = as_utc(consultation.review.meeting_at) + timedelta(days=LINK_DAYS_AFTER_MEETING)
    link, token, code = issue_link(purpose=PURPOSE, audience=AUDIENCE, review_id=consultation.review_id,
                                   expires_at=expires, recipient_ref=consultation.recipient_ref,
                                   with_short_code=True, replace=True)
    consultation.link_id = link.id
    return link_url(token), short_url(code)


def ask_parent(review: Review, description: str | None, channel: str, recipient: str | None) -> ParentConsultation:
    """Ask one more parent or carer: their own link by email or text. Audited; the caller commits."""
    if not is_open(review):
        raise ConsultationError(_l("This review is not planned, so there is nothing to ask about."))
    description = (description or "").strip()
    if not description or len(description) > DESCRIPTION_MAX:
        raise ConsultationError(_l("Say who they are to the child in up to 120 characters, for example "
                                   "'Mum' or 'Foster carer'."))
    address = normalise_address(channel, recipient)
    if address is None:
        raise ConsultationError(_l("Enter a valid email address or UK mobile number."))
    consultation = _new_consultation(review, description)
    url, _short = issue_consultation_link(consultation)
    queue_message(channel, address, "consultation_invitation", {"url": url}, review_id=review.id)
    consultation.contact_channel, consultation.contact_address = channel, address
    consultation.invited_at = utcnow()
    # The audit says how it went, never where.
    record_event("consultation_invited", "parent_consultation", consultation.id, detail=channel)
    return consultation


def forget_contacts(review: Review) -> None:
    """The review was held or cancelled: every address kept for it goes (portal.reviews.hooks calls this
    in the same transaction). What people wrote, and who they are to the child, stay."""
    for consultation in consultations_for(review):
        consultation.contact_channel = consultation.contact_address = None


# --- The parent's side --------------------------------------------------------------------------

def consultation_for_link(link: PrivateLink | None) -> ParentConsultation | None:
    """The consultation a parent's link was sent for, or None."""
    if link is None or link.purpose != PURPOSE or link.review_id is None or not link.recipient_ref:
        return None
    return db.session.scalar(db.select(ParentConsultation).filter_by(review_id=link.review_id,
                                                                     recipient_ref=link.recipient_ref))


def mark_opened(consultation: ParentConsultation, link: PrivateLink) -> None:
    """Start pressed: opened (first time only), audited as the parent; the caller commits."""
    if consultation.opened_at is None:
        consultation.opened_at = utcnow()
    record_event("consultation_opened", "parent_consultation", consultation.id, link=link)


def answers_by_key(consultation: ParentConsultation) -> dict[str, ConsultationAnswer]:
    return {answer.question_key: answer for answer in db.session.scalars(
        db.select(ConsultationAnswer).filter_by(consultation_id=consultation.id)
        .execution_options(populate_existing=True))}


def _field(answer: ConsultationAnswer | None) -> dict:
    state, value = stored_value(answer)
    return {"state": state, "value": value or "", "version": answer.version if answer else 0,
            "loaded": fingerprint(state, value), "error": None, "conflict": None}


@dataclass
class SaveResult:
    """What one post of the form did: answers refused (with why) and answers changed elsewhere meanwhile."""

    errors: dict[str, str] = field(default_factory=dict)
    conflicts: dict[str, ConsultationAnswer | None] = field(default_factory=dict)
    posted: dict[str, Posted] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors and not self.conflicts


def fields_for(consultation: ParentConsultation, result: SaveResult | None = None) -> dict[str, dict]:
    """What each question shows: the stored answer, or what was posted when it could not be saved."""
    answers = answers_by_key(consultation)
    qset = question_set(CURRENT_SET)
    fields = {}
    for question in qset.questions:
        stored = answers.get(question.key)
        shown = _field(stored)
        posted = result.posted.get(question.key) if result else None
        if posted is not None and question.key in result.errors:
            shown.update(state=posted.state, value=posted.value or "", error=result.errors[question.key])
        elif posted is not None and question.key in result.conflicts:
            # The page now carries the newer version: saving again is the person's choice.
            shown.update(state=posted.state, value=posted.value or "", conflict={
                "mine": answer_in_words(question, posted.state, posted.value, nothing=_("Nothing")),
                "theirs": answer_in_words(question, *stored_value(stored), nothing=_("Nothing"))})
        fields[question.key] = shown
    return fields


def _stored(consultation: ParentConsultation, key: str) -> ConsultationAnswer | None:
    """The answer as the database holds it now, never a copy this session loaded earlier."""
    return db.session.scalar(db.select(ConsultationAnswer).filter_by(consultation_id=consultation.id, question_key=key)
                             .execution_options(populate_existing=True))


def _insert(consultation: ParentConsultation, question: Question, value: str) -> ConsultationAnswer | None:
    answer = ConsultationAnswer(consultation_id=consultation.id, question_set=CURRENT_SET, section=SECTION,
                                question_key=question.key, version=1, urgent=False, updated_at=utcnow())
    answer.put(question, ANSWERED, value)
    try:
        with db.session.begin_nested():
            db.session.add(answer)
    except IntegrityError:
        # Another tab or a double click made it first: compared like any other change.
        return None
    return answer


def _update_if_unchanged(answer: ConsultationAnswer, seen: int, question: Question,
                         value: str) -> ConsultationAnswer | None:
    """The version check and the write in one statement (UPDATE ... WHERE version = :seen)."""
    probe = ConsultationAnswer()
    probe.put(question, ANSWERED, value)
    changed = db.session.execute(
        db.update(ConsultationAnswer)
        .where(ConsultationAnswer.id == answer.id, ConsultationAnswer.version == seen)
        .values(state=probe.state, value_choice=probe.value_choice, value_text=probe.value_text,
                question_set=CURRENT_SET, version=ConsultationAnswer.version + 1, updated_at=utcnow())
        .execution_options(synchronize_session=False)).rowcount
    return _stored(answer.consultation, question.key) if changed else None


def _delete_if_unchanged(answer: ConsultationAnswer, seen: int) -> bool:
    statement = db.delete(ConsultationAnswer).where(ConsultationAnswer.id == answer.id,
                                                    ConsultationAnswer.version == seen)
    return db.session.execute(statement.execution_options(synchronize_session=False)).rowcount > 0


def screen_answer(review: Review, question: Question, answer: ConsultationAnswer) -> bool:
    """Screen a free text for risk; worrying words raise a concern that reaches a person now."""
    if not question.is_free_text:
        return False
    screened = safeguarding.report(review, source_kind=SOURCE_KIND, source_id=answer.id, label=str(question.prompt),
                                   text=answer.value_text, may_have_concern=bool(answer.urgent))
    answer.urgent = bool(answer.urgent or screened.urgent)
    return screened.urgent


def save_answer(consultation: ParentConsultation, question: Question, posted: Posted) -> str | None:
    """Save one posted answer: None when saved or unchanged, 'conflict' when another tab changed it since
    the page loaded (nothing is overwritten), or the words saying why it was refused (kept on the page)."""
    kind = question.answer_kind
    value = kind.clean(question, posted.value)
    problem = kind.validate(question, value)
    if problem is not None:
        if kind.free_text:
            problem = _("%(problem)s You could shorten it, or tell the IRO the rest at the meeting.", problem=problem)
        return problem
    stored = _stored(consultation, question.key)
    seen = stored.version if stored else 0
    if stored_value(stored) == (("none", None) if value is None else (ANSWERED, value)):
        return None
    if posted.expected_version is not None and posted.expected_version != seen:
        return "conflict"
    if value is None:
        if not _delete_if_unchanged(stored, seen):
            return "conflict"
        safeguarding.source_changed(SOURCE_KIND, stored.id, None)
        return None
    written = _insert(consultation, question, value) if stored is None else \
        _update_if_unchanged(stored, seen, question, value)
    if written is None:
        return "conflict"
    screen_answer(consultation.review, question, written)
    return None


def save_form(consultation: ParentConsultation, form, link: PrivateLink) -> SaveResult:
    """Save every question of the posted page; fields this page did not touch are left alone."""
    result = SaveResult()
    for question in question_set(CURRENT_SET).questions:
        posted = read_posted(question, form)
        if posted is None:
            continue
        result.posted[question.key] = posted
        if posted.keep_theirs or posted.loaded == fingerprint(posted.state, posted.value):
            continue
        outcome = save_answer(consultation, question, posted)
        if outcome == "conflict":
            result.conflicts[question.key] = _stored(consultation, question.key)
        elif outcome is not None:
            result.errors[question.key] = outcome
    if result.posted:
        record_event("consultation_saved", "parent_consultation", consultation.id, link=link)
    return result


def send(consultation: ParentConsultation, link: PrivateLink) -> None:
    """'Send to the IRO': sent back (the first time is kept; sending again after a change is audited)."""
    if consultation.submitted_at is None:
        consultation.submitted_at = utcnow()
    record_event("consultation_returned", "parent_consultation", consultation.id, link=link)


# --- Words posted after the page locked -----------------------------------------------------------

def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=DRAFT_SALT)


def consultation_ref(consultation: ParentConsultation) -> str:
    """A signed reference on the form, so words kept after a lock go to this consultation and no other."""
    return _serializer().dumps(consultation.id)


def consultation_id_from_ref(ref: str | None) -> int | None:
    try:
        value = _serializer().loads(ref or "", max_age=DRAFT_MAX_AGE)
    except BadSignature:
        return None
    return value if isinstance(value, int) else None


def make_draft(form) -> dict | None:
    """The posted form, to keep in the session until Start; None when it carries no valid reference."""
    ref = form.get(REF_FIELD)
    if consultation_id_from_ref(ref) is None:
        return None
    return {"ref": ref, "fields": {key: form.getlist(key) for key in form.keys() if key != "csrf_token"}}


def apply_draft(consultation: ParentConsultation, draft: dict | None, link: PrivateLink) -> SaveResult | None:
    """After Start: save the kept words into this consultation only (None when they were not for it)."""
    if not isinstance(draft, dict) or consultation_id_from_ref(draft.get("ref")) != consultation.id:
        return None
    fields = draft.get("fields") or {}
    form = MultiDict([(key, value) for key, values in fields.items() for value in values])
    return save_form(consultation, form, link)


# --- Reading ------------------------------------------------------------------------------------

def answer_rows(consultation: ParentConsultation, *, for_staff: bool) -> list[dict]:
    """Every question in order with the answer in words (None when not answered) and whether it is urgent."""
    answers = answers_by_key(consultation)
    rows = []
    for question in question_set(CURRENT_SET).questions:
        answer = answers.get(question.key)
        asked = question_set(answer.question_set).question(question.key) if answer else question
        text = answer_in_words(asked, *stored_value(answer), for_staff=for_staff, nothing=None)
        rows.append({"question": asked or question, "text": text, "urgent": bool(answer and answer.urgent),
                     "free_text": question.is_free_text})
    return rows


def status_of(consultation: ParentConsultation) -> str:
    """'returned', 'opened' or 'sent', for the IRO's list."""
    if consultation.submitted_at is not None:
        return "returned"
    return "opened" if consultation.opened_at is not None else "sent"


def read_for_staff(consultation: ParentConsultation) -> list[dict]:
    """The answers for the IRO or a manager; every read is on the record."""
    record_event("read", "parent_consultation", consultation.id)
    return answer_rows(consultation, for_staff=True)


# --- Demo ---------------------------------------------------------------------------------------

def demo_links(review: Review) -> list[dict]:
    """A fresh parent's link for a planned demo review, for `flask demo --json` (the lead wires it in)."""
    if not is_open(review):
        return []
    consultation = db.session.scalar(db.select(ParentConsultation).filter_by(review_id=review.id,
                                                                             description=DEMO_DESCRIPTION))
    if consultation is None:
        consultation = _new_consultation(review, DEMO_DESCRIPTION)
        consultation.invited_at = utcnow()
    url, short = issue_consultation_link(consultation)
    return [{"kind": "parent_consultation", "url": url, "short_url": short, "review_id": review.id}]


def people_asked(review: Review) -> list[str]:
    """How the IRO named each parent or carer asked for their views on this review ("Mum"), oldest first."""
    return list(db.session.scalars(db.select(ParentConsultation.description)
                                   .where(ParentConsultation.review_id == review.id)
                                   .order_by(ParentConsultation.id)))

"""The IRO's side of the booklet: invite, print a letter, read it (worrying things first), record the PN code."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.audit import record_event
from portal.booklet import screening, status
from portal.booklet.invitations import InvitationError, change_version, first_name, make_letter, send_invitation
from portal.booklet.models import Booklet, BookletAnswer, ChildMessage, SectionSharing, UrgentConcern, VoiceNote
from portal.booklet.questions import VERSION_NAMES, question_set
from portal.booklet.staff_forms import (
    CHAIRING_LABELS,
    PN_LABELS,
    AcknowledgeForm,
    LetterForm,
    ParticipationForm,
    SendInvitationForm,
    VersionForm,
)
from portal.extensions import db
from portal.reviews.models import Review
from portal.security import load_or_404, role_required
from portal.timeutil import london_date, utcnow

bp = Blueprint("booklet_staff", __name__)

STAFF = ("iro", "manager")
MEETING_SECTION = "my_meeting"


def _booklet(review: Review) -> Booklet | None:
    return review.booklet


@bp.app_template_global()
def booklet_panel(review: Review) -> dict:
    """What the review page's booklet panel shows; no booklet is made just by looking."""
    booklet = _booklet(review)
    state = status.booklet_status(review)
    return {
        "booklet": booklet,
        "status": state,
        "label": status.status_label(state),
        "tag_class": status.status_tag_class(state),
        "invite_by": status.invite_by_date(review),
        "late": status.invitation_is_late(review, booklet),
        "version_name": VERSION_NAMES.get(booklet.version) if booklet else None,
        "urgent": open_urgent_count(review),
        "planned": review.status == "planned",
    }


@bp.app_template_global()
def booklet_version_names() -> dict:
    return VERSION_NAMES


@bp.app_template_global()
def open_urgent_count(review: Review | None = None) -> int:
    """Unacknowledged concerns the signed-in person may see (for one review, or all of theirs)."""
    if not current_user.is_authenticated or current_user.role not in STAFF:
        return 0
    counts = screening.open_concern_counts(current_user)
    return counts.get(review.id, 0) if review is not None else sum(counts.values())


def _version_form(booklet: Booklet | None) -> VersionForm:
    form = VersionForm()
    if booklet is not None and form.version.data is None:
        form.version.data = booklet.version
    return form


# --- Invitations ------------------------------------------------------------------------------

@bp.route("/reviews/<int:review_id>/booklet/send", methods=["GET", "POST"])
@role_required(*STAFF)
def send(review_id: int):
    review = load_or_404(Review, review_id)
    form = SendInvitationForm()
    if form.validate_on_submit():
        try:
            send_invitation(review, form.channel.data, form.recipient.data)
        except InvitationError as error:
            form.recipient.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Invitation queued. Earlier links for this booklet no longer work."), "success")
            return redirect(url_for("booklet_staff.read", review_id=review.id), 303)
    return render_template("booklet_staff/send.html", review=review, form=form,
                           panel=booklet_panel(review)), (400 if form.errors else 200)


@bp.route("/reviews/<int:review_id>/booklet/letter", methods=["GET", "POST"])
@role_required(*STAFF)
def letter(review_id: int):
    review = load_or_404(Review, review_id)
    form = LetterForm()
    letter = None
    problem = None
    if form.validate_on_submit():
        try:
            letter = make_letter(review)
        except InvitationError as error:
            problem = str(error)
        else:
            db.session.commit()
    response = render_template("booklet_staff/letter.html", review=review, form=form, letter=letter,
                               problem=problem, panel=booklet_panel(review), first_name=first_name(review),
                               meeting_date=london_date(review.meeting_at))
    # The letter carries a live link: never keep a copy in a cache.
    return response, 200, {"Cache-Control": "no-store"}


@bp.post("/reviews/<int:review_id>/booklet/version")
@role_required(*STAFF)
def version(review_id: int):
    review = load_or_404(Review, review_id)
    form = _version_form(None)
    if form.validate_on_submit():
        try:
            change_version(review, form.version.data)
        except InvitationError as error:
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(_("Booklet version changed."), "success")
    else:
        flash(_("Choose a version"), "error")
    return redirect(url_for("booklet_staff.read", review_id=review.id), 303)


# --- Reading ----------------------------------------------------------------------------------

def _answer_text(question, answer: BookletAnswer | None) -> str | None:
    if answer is None:
        return None
    if answer.state == "skipped":
        return _("Skipped")
    if answer.state == "tell_iro":
        return _("I'd rather tell my IRO myself")
    if answer.value_choice and question is not None:
        option = next((o for o in question.options if o.key == answer.value_choice), None)
        return str(option.label) if option else answer.value_choice
    return answer.value_text


def _sections(booklet: Booklet, answers: dict, notes: dict, sharing: dict) -> list[dict]:
    qset = question_set(booklet.question_set)
    ordered = sorted(qset.sections, key=lambda s: s.key != MEETING_SECTION)
    sections = []
    for section in ordered:
        items = []
        for question in section.questions:
            answer = answers.get(question.key)
            items.append({"question": question, "answer": answer, "text": _answer_text(question, answer),
                          "notes": notes.get(question.key, [])})
        sections.append({"section": section, "entries": items, "sharing": sharing.get(section.key)})
    return sections


def _concern_items(concerns: list[UrgentConcern], booklet: Booklet | None) -> list[dict]:
    qset = question_set(booklet.question_set) if booklet else None
    items = []
    for concern in concerns:
        item = {"concern": concern, "prompt": None, "text": None,
                "form": AcknowledgeForm(prefix=f"ack{concern.id}")}
        if concern.answer_id:
            answer = db.session.get(BookletAnswer, concern.answer_id)
            if answer is not None:
                try:
                    question = question_set(answer.question_set).question(answer.question_key)
                except KeyError:
                    question = qset.question(answer.question_key) if qset else None
                item["prompt"] = question.prompt if question else answer.question_key
                item["text"] = _answer_text(question, answer)
        elif concern.message_id:
            message = db.session.get(ChildMessage, concern.message_id)
            if message is not None:
                item["prompt"] = _("A message to you")
                item["text"] = message.body
        items.append(item)
    return items


def _form_with_errors(ack_forms: dict | None, participation_form):
    """The form whose errors the page title and summary report, if any."""
    for form in list((ack_forms or {}).values()) + [participation_form]:
        if form is not None and form.errors:
            return form
    return None


def _render_read(review: Review, *, ack_forms: dict | None = None, participation_form=None, code: int = 200):
    booklet = _booklet(review)
    concerns = list(db.session.scalars(
        db.select(UrgentConcern).filter_by(review_id=review.id, acknowledged_at=None)
        .order_by(UrgentConcern.created_at)))
    concern_items = _concern_items(concerns, booklet)
    for item in concern_items:
        if ack_forms and item["concern"].id in ack_forms:
            item["form"] = ack_forms[item["concern"].id]
    sections = []
    if booklet is not None:
        answers = {a.question_key: a for a in booklet.answers}
        notes: dict = {}
        for note in db.session.scalars(db.select(VoiceNote).filter_by(booklet_id=booklet.id)
                                       .order_by(VoiceNote.created_at)):
            notes.setdefault(note.question_key, []).append(note)
        sharing = {s.section: s for s in db.session.scalars(db.select(SectionSharing).filter_by(booklet_id=booklet.id))}
        sections = _sections(booklet, answers, notes, sharing)
        # Every read of a child's words by staff is on the record.
        record_event("read", "booklet", booklet.id)
    child_reviews = db.select(Review.id).where(Review.child_id == review.child_id)
    messages = list(db.session.scalars(db.select(ChildMessage).where(ChildMessage.review_id.in_(child_reviews))
                                       .order_by(ChildMessage.created_at.desc(), ChildMessage.id.desc())))
    now = utcnow()
    for message in messages:
        record_event("read", "child_message", message.id)
        if message.read_at is None and current_user.id == review.iro_id:
            message.read_at = now
    if participation_form is None:
        participation_form = ParticipationForm(prefix="pn")
        participation_form.participation_code.data = review.participation_code or \
            status.suggested_participation_code(review)
        participation_form.chairing.data = review.chairing
    page = render_template("booklet_staff/read.html", review=review, booklet=booklet, sections=sections,
                           concerns=concern_items, messages=messages, panel=booklet_panel(review),
                           suggested=status.suggested_participation_code(review), pn_labels=PN_LABELS,
                           chairing_labels=CHAIRING_LABELS, participation_form=participation_form,
                           version_form=_version_form(booklet),
                           form=_form_with_errors(ack_forms, participation_form))
    db.session.commit()
    return page, code


@bp.get("/reviews/<int:review_id>/booklet")
@role_required(*STAFF)
def read(review_id: int):
    review = load_or_404(Review, review_id)
    return _render_read(review)


@bp.post("/urgent/<int:concern_id>/acknowledge")
@role_required(*STAFF)
def acknowledge(concern_id: int):
    concern = load_or_404(UrgentConcern, concern_id)
    form = AcknowledgeForm(prefix=f"ack{concern.id}")
    if form.validate_on_submit():
        screening.acknowledge(concern, current_user, form.note.data)
        db.session.commit()
        flash(_("Acknowledged. Thank you."), "success")
        return redirect(url_for("booklet_staff.read", review_id=concern.review_id), 303)
    return _render_read(concern.review, ack_forms={concern.id: form}, code=400)


@bp.post("/reviews/<int:review_id>/participation")
@role_required(*STAFF)
def participation(review_id: int):
    review = load_or_404(Review, review_id)
    if review.status != "held":
        flash(_("You can record how the child took part once the review has been held."), "error")
        return redirect(url_for("booklet_staff.read", review_id=review.id), 303)
    form = ParticipationForm(prefix="pn")
    if form.validate_on_submit():
        review.participation_code = form.participation_code.data
        review.chairing = form.chairing.data
        record_event("participation_recorded", "review", review.id,
                     detail=f"{review.participation_code}:{review.chairing}")
        db.session.commit()
        flash(_("Saved how the child took part."), "success")
        return redirect(url_for("booklet_staff.read", review_id=review.id), 303)
    return _render_read(review, participation_form=form, code=400)


# --- The IRO's urgent list ----------------------------------------------------------------------

@bp.get("/urgent")
@role_required(*STAFF)
def urgent_list():
    concerns = list(db.session.scalars(screening.open_concerns_query(current_user)))
    return render_template("booklet_staff/urgent.html", concerns=concerns)

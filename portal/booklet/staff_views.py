"""The IRO's side of the booklet: invite (email, text or a printed letter), remind, stop a lost link,
read it (worrying things first), record the PN code."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user

from portal.audit import record_event
from portal.booklet import status, told_us
from portal.booklet.invitations import (
    InvitationError,
    change_version,
    contact_hint,
    first_name,
    forget_contact,
    live_child_links,
    make_invitation_letter,
    send_invitation,
    send_reminder,
    stop_child_links,
)
from portal.booklet.models import Booklet, BookletAnswer, SectionSharing, VoiceNote
from portal.booklet.questions import VERSION_NAMES, question_set
from portal.booklet.staff_forms import (
    InvitationLetterForm,
    ParticipationForm,
    ReminderForm,
    SendInvitationForm,
    StopLinksForm,
    VersionForm,
)
from portal.extensions import db
from portal.questionnaires.answers import answer_in_words, stored_value
from portal.reviews import hooks as review_hooks
from portal.reviews import services as review_services
from portal.reviews.models import Review
from portal.reviews.participation import CHAIRING_LABELS, PN_LABELS
from portal.safeguarding import services as safeguarding
from portal.security import load_or_404, role_required
from portal.timeutil import london_date

bp = Blueprint("booklet_staff", __name__)

STAFF = ("iro", "manager")
MEETING_SECTION = "my_meeting"


def safeguarding_open_count(review: Review) -> int:
    if not current_user.is_authenticated or current_user.role not in STAFF:
        return 0
    return safeguarding.open_concern_counts(current_user).get(review.id, 0)


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
        "urgent": safeguarding_open_count(review),
        "planned": review.status == "planned",
        # Where the last invitation went, masked; None when no address is kept (never the address itself).
        "contact_hint": contact_hint(booklet),
    }


@bp.app_template_global()
def booklet_version_names() -> dict:
    return VERSION_NAMES


@bp.record_once
def _add_to_the_review_pages(_state) -> None:
    """The booklet's panel and list status on the reviews pages, its PN suggestion, and forgetting the
    address kept for reminders once the review is held or cancelled (portal.reviews.hooks)."""
    review_hooks.register_review_panel(
        "booklet", lambda review: render_template("booklet_staff/_review_panel.html", review=review),
        status=lambda review: render_template("booklet_staff/_status_cell.html", review=review),
        status_label=_l("Booklet"))
    review_hooks.register_participation_suggestion("booklet", status.suggested_participation_code)
    review_hooks.register_review_finished("booklet", forget_contact)
    review_hooks.register_told_us("booklet", told_us.told_us_lines)


def _version_form(booklet: Booklet | None) -> VersionForm:
    form = VersionForm()
    if booklet is not None and form.version.data is None:
        form.version.data = booklet.version
    return form


# --- Invitations ------------------------------------------------------------------------------

# The reminder's button shares the send page with the new-address form: its own ids.
REMINDER_PREFIX = "reminder"


def _render_send(review: Review, form: SendInvitationForm, code: int = 200):
    return render_template("booklet_staff/send.html", review=review, form=form,
                           reminder_form=ReminderForm(prefix=REMINDER_PREFIX),
                           panel=booklet_panel(review)), code


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
            flash(_("Invitation queued. Links sent before still work until you stop them on the booklet page."),
                  "success")
            return redirect(url_for("booklet_staff.read", review_id=review.id), 303)
    return _render_send(review, form, 400 if form.errors else 200)


@bp.post("/reviews/<int:review_id>/booklet/remind")
@role_required(*STAFF)
def remind(review_id: int):
    """One click: a new link to the address kept from the last invitation, nothing retyped."""
    review = load_or_404(Review, review_id)
    form = ReminderForm(prefix=REMINDER_PREFIX)
    if not form.validate_on_submit():
        flash(_("The reminder was not sent. Please try again."), "error")
        return redirect(url_for("booklet_staff.send", review_id=review.id), 303)
    try:
        send_reminder(review)
    except InvitationError as error:
        flash(str(error), "error")
        return redirect(url_for("booklet_staff.send", review_id=review.id), 303)
    hint = contact_hint(review.booklet)
    db.session.commit()
    flash(_("Reminder queued: %(where)s. Links sent before still work until you stop them on the booklet page.",
            where=hint), "success")
    return redirect(url_for("booklet_staff.read", review_id=review.id), 303)


@bp.route("/reviews/<int:review_id>/booklet/stop-links", methods=["GET", "POST"])
@role_required(*STAFF)
def stop_links(review_id: int):
    """A link was lost: after a confirmation, every booklet link the child has stops working."""
    review = load_or_404(Review, review_id)
    form = StopLinksForm()
    if form.validate_on_submit():
        stopped = stop_child_links(review)
        db.session.commit()
        if stopped:
            flash(ngettext("%(num)d link stopped working. Send a new link when you are ready.",
                           "%(num)d links stopped working. Send a new link when you are ready.", stopped),
                  "success")
        else:
            flash(_("There were no working links to stop."), "success")
        return redirect(url_for("booklet_staff.read", review_id=review.id), 303)
    return render_template("booklet_staff/stop_links.html", review=review, form=form,
                           live_links=live_child_links(review), panel=booklet_panel(review)), \
        (400 if form.errors else 200)


@bp.route("/reviews/<int:review_id>/booklet/invitation-letter", methods=["GET", "POST"])
@role_required(*STAFF)
def invitation_letter(review_id: int):
    review = load_or_404(Review, review_id)
    form = InvitationLetterForm()
    invitation = None
    problem = None
    if form.validate_on_submit():
        try:
            invitation = make_invitation_letter(review)
        except InvitationError as error:
            problem = str(error)
        else:
            db.session.commit()
    response = render_template("booklet_staff/invitation_letter.html", review=review, form=form, invitation=invitation,
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
    """The child's answer as the IRO reads it ("Skipped"); None when there is none."""
    return answer_in_words(question, *stored_value(answer), for_staff=True, nothing=None)


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


def _render_read(review: Review, *, participation_form=None, code: int = 200):
    booklet = _booklet(review)
    # Every concern about this child, open ones first, each with its snapshot: it outlives edits
    # and withdrawal of the booklet.
    concerns = safeguarding.concerns_for_review(review)
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
    messages = safeguarding.read_messages(review, current_user)
    if participation_form is None:
        participation_form = ParticipationForm(prefix="pn")
        participation_form.participation_code.data = review.participation_code or \
            status.suggested_participation_code(review)
        participation_form.chairing.data = review.chairing
    page = render_template("booklet_staff/read.html", review=review, booklet=booklet, sections=sections,
                           concerns=concerns, messages=messages, panel=booklet_panel(review),
                           suggested=status.suggested_participation_code(review), pn_labels=PN_LABELS,
                           chairing_labels=CHAIRING_LABELS, participation_form=participation_form,
                           version_form=_version_form(booklet), live_links=live_child_links(review),
                           form=participation_form if participation_form.errors else None)
    db.session.commit()
    return page, code


@bp.get("/reviews/<int:review_id>/booklet")
@role_required(*STAFF)
def read(review_id: int):
    review = load_or_404(Review, review_id)
    return _render_read(review)


@bp.post("/reviews/<int:review_id>/participation")
@role_required(*STAFF)
def participation(review_id: int):
    review = load_or_404(Review, review_id)
    if review.status != "held":
        flash(_("You can record how the child took part once the review has been held."), "error")
        return redirect(url_for("booklet_staff.read", review_id=review.id), 303)
    form = ParticipationForm(prefix="pn")
    if form.validate_on_submit():
        review_services.record_participation(review, form.participation_code.data, form.chairing.data)
        db.session.commit()
        flash(_("Saved how the child took part."), "success")
        return redirect(url_for("booklet_staff.read", review_id=review.id), 303)
    return _render_read(review, participation_form=form, code=400)

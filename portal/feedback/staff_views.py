"""The IRO's side of feedback: who to ask when a review is held, sending, printing, handing over.

Handing over: the IRO's own device shows the parent or carer form. The IRO is signed out completely
first; the fresh session holds only {"feedback_handover": {"link_id", "until"}}, so every staff page
leads to sign-in until the IRO signs in again. After `until` any page shows "This form was left unused"
once, and the session is emptied.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import logout_user

from portal import jobs
from portal.extensions import db
from portal.feedback.invitations import (
    InvitationError,
    Invited,
    daily_feedback_job,
    invitation_counts,
    invitations_for,
    invite,
    make_slip,
    start_handover,
    young_person_invitation,
)
from portal.feedback.staff_forms import HandoverForm, InviteForm
from portal.links.models import PrivateLink
from portal.links.services import revoke
from portal.outbox.services import mask_address
from portal.reviews import hooks as review_hooks
from portal.reviews.models import Review
from portal.security import IRO, MANAGER, load_or_404, role_required
from portal.settings import authority_settings
from portal.timeutil import utcnow

bp = Blueprint("feedback_staff", __name__)

HANDOVER_KEY = "feedback_handover"
DAILY_JOB = "feedback_reminders_and_forgetting"


def _held_review_link(review: Review) -> tuple[str, str] | None:
    return (_("Feedback"), url_for("feedback_staff.review_feedback", review_id=review.id))


@bp.record_once
def _register(_state) -> None:
    review_hooks.register_held_review_link("feedback", _held_review_link)
    jobs.register_periodic(DAILY_JOB, daily_feedback_job, hour="8", minute="5")


@bp.app_template_global()
def feedback_contact_hint(invitation) -> str | None:
    """Where an invitation went, masked; None once the address is deleted."""
    if not invitation.contact or invitation.channel not in ("email", "sms"):
        return None
    return mask_address(invitation.channel, invitation.contact)


CHANNEL_LABELS = {"child_link": _l("Their own link"), "email": _l("Email"), "sms": _l("Text message"),
                  "print": _l("Printed slip"), "qr": _l("QR code on screen"), "handover": _l("Handed over")}
GROUP_LABELS = {"young_person": _l("Young person"), "parent_carer": _l("Parents and carers"),
                "professional": _l("Professionals")}


def _render_page(review: Review, form: InviteForm, code: int = 200):
    return render_template("feedback/staff/review_feedback.html", review=review, form=form,
                           handover_form=HandoverForm(prefix="handover"), invitations=invitations_for(review),
                           young_person=young_person_invitation(review), counts=invitation_counts(review),
                           channel_labels=CHANNEL_LABELS, group_labels=GROUP_LABELS), code


def _render_slip(review: Review, invited: Invited):
    template = "feedback/staff/slip.html" if invited.invitation.channel == "print" else "feedback/staff/qr.html"
    page = render_template(template, review=review, invited=invited, slip=make_slip(invited))
    # It carries a live link: never kept in a cache.
    return page, 200, {"Cache-Control": "no-store"}


@bp.route("/reviews/<int:review_id>/feedback", methods=["GET", "POST"])
@role_required(IRO, MANAGER)
def review_feedback(review_id: int):
    review = load_or_404(Review, review_id)
    form = InviteForm()
    if form.validate_on_submit():
        try:
            invited = invite(review, form.group.data, form.channel.data, form.contact.data, form.description.data)
        except InvitationError as error:
            form.contact.errors = [*form.contact.errors, str(error)]
        else:
            db.session.commit()
            if invited.short_code:
                return _render_slip(review, invited)
            flash(_("Feedback invitation queued. One reminder goes after %(days)d working days if they have not "
                    "answered.", days=authority_settings().feedback_reminder_working_days), "success")
            return redirect(url_for("feedback_staff.review_feedback", review_id=review.id), 303)
    return _render_page(review, form, 400 if form.errors else 200)


def _begin_handover_session(link_id: int, minutes: int) -> None:
    """Sign the IRO out completely; the fresh session holds only the handover."""
    logout_user()
    session.clear()
    regenerate = getattr(current_app.session_interface, "regenerate", None)
    if regenerate is not None:
        regenerate(session)
    session[HANDOVER_KEY] = {"link_id": link_id, "until": utcnow().timestamp() + minutes * 60}


@bp.post("/reviews/<int:review_id>/feedback/handover")
@role_required(IRO)
def handover(review_id: int):
    review = load_or_404(Review, review_id)
    form = HandoverForm(prefix="handover")
    if not form.validate_on_submit():
        return _render_page(review, InviteForm(formdata=None), 400)
    try:
        invited = start_handover(review)
    except InvitationError as error:
        flash(str(error), "error")
        return redirect(url_for("feedback_staff.review_feedback", review_id=review.id), 303)
    db.session.commit()
    _begin_handover_session(invited.invitation.link_id, authority_settings().handover_minutes)
    # The path only: the form opens on this device, whatever the portal's public address.
    return redirect(urlsplit(invited.url).path, 303)


@bp.before_app_request
def _end_an_unused_handover():
    """After its time, a handed-over form is left unused: say so once and keep nothing."""
    state = session.get(HANDOVER_KEY)
    if not isinstance(state, dict) or request.path.startswith(("/static/", "/assets/")):
        return None
    until = state.get("until")
    if isinstance(until, int | float) and utcnow().timestamp() <= until:
        return None
    link = db.session.get(PrivateLink, state["link_id"]) if isinstance(state.get("link_id"), int) else None
    if link is not None:
        revoke(link)
        db.session.commit()
    session.clear()
    return render_template("feedback/staff/handover_unused.html"), 200

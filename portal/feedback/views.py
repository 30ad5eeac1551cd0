"""Feedback forms for young people, parents and carers, and professionals, reached through a private link.

A parent's or professional's link (/l/<token>, /s/<code>) leads straight to their form: no Start and no
link session; the form posts back to the link itself. The young person answers through their own
booklet link's session (/feedback/mine), offered on their pages once the review is held. When the IRO
hands their own device to a parent at the meeting, the session holds "feedback_handover" and the form
and thank-you pages are drawn locked: no links out, no staff data.
"""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, session, url_for
from flask_babel import lazy_gettext as _l

from portal.extensions import db
from portal.feedback import services
from portal.feedback.forms import LinkFeedbackForm, YoungPersonFeedbackForm
from portal.feedback.questions import current_version, question_set
from portal.links.models import PrivateLink
from portal.links.registry import register_purpose
from portal.links.session import child_link_required
from portal.links.views import not_found_page
from portal.reviews.hooks import register_child_offer

bp = Blueprint("feedback", __name__)

LINK_AUDIENCES = ("parent", "professional")


def _offer(review):
    if services.young_person_offer(review):
        return _l("Tell us how your review went"), "feedback.mine"
    return None


bp.record_once(lambda state: register_child_offer("feedback", _offer))


def _form_page(group: str, form, *, fields=None, errors=(), version=None, locked=False, child=False,
               action: str = "", status: int = 200):
    version = version or current_version(group)
    # The first version of a form is made on first need: keep it, so a page's version is there when it is sent.
    db.session.commit()
    questions = question_set(version)
    return render_template("feedback/form.html", group=group, form=form, questions=questions, version=version,
                           fields=fields or services.blank_fields(questions), errors=list(errors), locked=locked,
                           child=child, action=action), status


def _closed_page(locked: bool, status: int = 410):
    return render_template("feedback/closed.html", locked=locked), status


def _after_submit(result, group: str, locked: bool, thanks_endpoint: str, child: bool = False, action: str = ""):
    """Thanks, a kind 'already sent', or the form again with what to put right."""
    if isinstance(result, services.Submitted):
        db.session.commit()
        return redirect(url_for(thanks_endpoint), 303)
    db.session.rollback()
    if isinstance(result, services.AlreadySent):
        return render_template("feedback/already_sent.html", locked=locked, child=child)
    version = services.version_for_post(group, request.form)
    return _form_page(group, YoungPersonFeedbackForm() if child else LinkFeedbackForm(), fields=result.fields,
                      errors=result.errors, version=version, locked=locked, child=child, action=action, status=400)


def feedback_landing(link: PrivateLink):
    """A parent's or professional's form: GET shows it (changing nothing), POST sends it once."""
    invitation = services.invitation_for_link(link) if link.audience in LINK_AUDIENCES else None
    if invitation is None or invitation.group == "young_person":
        return not_found_page()
    locked = services.handover_locks(session.get(services.HANDOVER_SESSION_KEY), link.id)
    form = LinkFeedbackForm()
    if request.method == "POST" and form.validate_on_submit():
        result = services.submit_invitation(invitation, request.form)
        return _after_submit(result, invitation.group, locked, "feedback.thanks")
    if invitation.returned:
        return _closed_page(locked)
    return _form_page(invitation.group, form, locked=locked)


register_purpose(bp, "feedback", landing=feedback_landing, is_over=services.link_form_is_closed)


@bp.get("/feedback/thanks")
def thanks():
    """After sending; on a device handed over at the meeting, ask for it to be handed back, and end the handover."""
    locked = session.pop(services.HANDOVER_SESSION_KEY, None) is not None
    return render_template("feedback/thanks.html", locked=locked, child=False)


@bp.route("/feedback/mine", methods=["GET", "POST"])
@child_link_required
def mine(link: PrivateLink):
    """The young person's form, through their own link, once their review is held."""
    review = link.review
    if review is None or review.status != "held":
        return redirect(url_for("my_iro.page"), 303)
    invitation = services.young_person_invitation(review)
    form = YoungPersonFeedbackForm()
    if request.method == "POST" and form.validate_on_submit():
        result = services.submit_invitation(invitation, request.form)
        return _after_submit(result, "young_person", False, "feedback.mine_thanks", child=True,
                             action=url_for("feedback.mine"))
    db.session.commit()
    if invitation.returned:
        return render_template("feedback/already_sent.html", locked=False, child=True)
    return _form_page("young_person", form, child=True, action=url_for("feedback.mine"))


@bp.get("/feedback/mine/thanks")
@child_link_required
def mine_thanks(link: PrivateLink):
    return render_template("feedback/thanks.html", locked=False, child=True)

"""Parents' and carers' views before the review, through their own private link, read by the IRO.

The parent's side: the link's landing page (who it is from, what it is for, Start), one page of
questions, check and send, thank you; closed once the review is held or cancelled. The IRO's side: a
panel on the planned review (who was asked, ask one more) and a page to read one person's views.
"""

from __future__ import annotations

from functools import wraps

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import format_date
from flask_babel import gettext as _

from portal.consultation import services
from portal.consultation.forms import AskParentForm, SendForm
from portal.consultation.models import ParentConsultation
from portal.consultation.questions import CURRENT_SET, question_set
from portal.errors import keep_words_after_csrf_error
from portal.extensions import db
from portal.links.forms import StartForm
from portal.links.models import PrivateLink
from portal.links.registry import register_purpose, start_url
from portal.links.session import current_link, link_required, lock_page, start_link_session
from portal.links.views import not_found_page
from portal.reviews import hooks as review_hooks
from portal.reviews.models import Review
from portal.security import CASEWORK, load_or_404, role_required
from portal.timeutil import london_date

bp = Blueprint("consultation", __name__)

PURPOSE = services.PURPOSE
NO_STORE = {"Cache-Control": "no-store"}


def _meeting_date(review: Review) -> str:
    return format_date(london_date(review.meeting_at), "EEEE d MMMM")


def closed_page(review: Review | None):
    """After the review (or when it was cancelled): a plain page, nothing of what was written."""
    return render_template("consultation/closed.html", cancelled=review is not None and review.status == "cancelled")


# --- The parent's side --------------------------------------------------------------------------

def parent_landing(link: PrivateLink):
    """Who it is from and what it is for, and Start; only pressing Start uses the link."""
    consultation = services.consultation_for_link(link)
    if consultation is None or link.review is None:
        return not_found_page()
    if not services.is_open(link.review):
        return closed_page(link.review)
    form = StartForm()
    if request.method == "POST" and form.validate_on_submit():
        start_link_session(link)
        services.mark_opened(consultation, link)
        apply_pending_draft(consultation, link)
        db.session.commit()
        return redirect(start_url(link), 303)
    return render_template("consultation/landing.html", review=link.review, iro=link.review.iro, form=form,
                           meeting_date=_meeting_date(link.review))


register_purpose(
    bp, PURPOSE,
    landing=parent_landing,
    start_endpoint="consultation.form",
    is_over=lambda link: not services.is_open(link.review),
    idle_minutes=lambda link: services.IDLE_MINUTES,
    lock_template="consultation/locked.html",
)


def apply_pending_draft(consultation: ParentConsultation, link: PrivateLink) -> None:
    """After Start: save what was written before the page locked, into this consultation only."""
    draft = session.get(services.DRAFT_SESSION_KEY)
    result = services.apply_draft(consultation, draft, link)
    if result is None:
        return
    session.pop(services.DRAFT_SESSION_KEY, None)
    if result.ok:
        flash(_("We saved what you wrote before."), "success")
    else:
        flash(_("We kept what you wrote before, but some answers need a look: check them and press Continue."),
              "info")


def _lock_keeping_words():
    """The lock page; what was posted is kept in this browser's session (never shown) until Start."""
    draft = services.make_draft(request.form)
    if draft is not None:
        session[services.DRAFT_SESSION_KEY] = draft
    return lock_page(PURPOSE, draft_kept=draft is not None)


def keep_words_when_locked(view):
    """A post after the page locked: nothing is lost, nothing is shown."""
    @wraps(view)
    def wrapped(*args, **kwargs):
        link = current_link()
        if request.method == "POST" and (link is None or link.purpose != PURPOSE):
            return _lock_keeping_words()
        return view(*args, **kwargs)
    return wrapped


def keep_words_after_timeout(error):
    """The page's security token ran out: the same as a lock (None for any other form)."""
    if request.method != "POST" or request.endpoint != "consultation.save":
        return None
    return _lock_keeping_words()


bp.record_once(lambda state: keep_words_after_csrf_error(state.app, keep_words_after_timeout))


def consultation_page(view):
    """The person's consultation, while the review is planned; the closed page after."""
    @wraps(view)
    def wrapped(link: PrivateLink, *args, **kwargs):
        consultation = services.consultation_for_link(link)
        if consultation is None:
            abort(404)
        if not services.is_open(link.review):
            return closed_page(link.review)
        return view(link, consultation, *args, **kwargs)
    return wrapped


def _render_form(consultation: ParentConsultation, result: services.SaveResult | None = None, status: int = 200):
    fields = services.fields_for(consultation, result)
    errors = [{"text": f["error"], "href": f"#q-{key}"} for key, f in fields.items() if f["error"]]
    conflicts = [{"text": _("This answer was changed in another window since you opened this page. "
                            "Choose which to keep."), "href": f"#question-{key}"}
                 for key, f in fields.items() if f["conflict"]]
    return render_template("consultation/form.html", qset=question_set(CURRENT_SET), fields=fields,
                           errors=errors + conflicts, review=consultation.review,
                           ref_field=services.REF_FIELD, ref=services.consultation_ref(consultation),
                           meeting_date=_meeting_date(consultation.review)), status, NO_STORE


@bp.get("/parent-views")
@link_required(PURPOSE)
@consultation_page
def form(link: PrivateLink, consultation: ParentConsultation):
    return _render_form(consultation)


@bp.post("/parent-views")
@keep_words_when_locked
@link_required(PURPOSE)
@consultation_page
def save(link: PrivateLink, consultation: ParentConsultation):
    result = services.save_form(consultation, request.form, link)
    db.session.commit()
    if not result.ok:
        return _render_form(consultation, result, 400)
    return redirect(url_for("consultation.check"), 303)


@bp.get("/parent-views/check")
@link_required(PURPOSE)
@consultation_page
def check(link: PrivateLink, consultation: ParentConsultation):
    rows = services.answer_rows(consultation, for_staff=False)
    return render_template("consultation/check.html", rows=rows, form=SendForm(),
                           sent=consultation.submitted_at is not None), 200, NO_STORE


@bp.post("/parent-views/send")
@link_required(PURPOSE)
@consultation_page
def send(link: PrivateLink, consultation: ParentConsultation):
    """Sent once, however often it is pressed (a double click, the back button, two tabs)."""
    if not SendForm().validate_on_submit():
        flash(_("Your views were not sent. Please press the button again."), "error")
        return redirect(url_for("consultation.check"), 303)
    services.send(consultation, link)
    db.session.commit()
    return redirect(url_for("consultation.sent"), 303)


@bp.get("/parent-views/sent")
@link_required(PURPOSE)
@consultation_page
def sent(link: PrivateLink, consultation: ParentConsultation):
    if consultation.submitted_at is None:
        return redirect(url_for("consultation.check"), 303)
    return render_template("consultation/sent.html", iro=consultation.review.iro,
                           meeting_date=_meeting_date(consultation.review))


# --- The IRO's side -----------------------------------------------------------------------------

def panel_html(review: Review) -> str:
    """The review page's panel: who was asked and how far they got, and a form to ask one more."""
    people = [{"consultation": c, "hint": services.contact_hint(c), "status": services.status_of(c),
               "answered": bool(c.answers)} for c in services.consultations_for(review)]
    return render_template("consultation/_review_panel.html", review=review, people=people)


@bp.record_once
def _add_to_the_review_pages(_state) -> None:
    """The panel on a planned review (after the booklet's: registered later), deleting the addresses kept
    once the review is held or cancelled, and the people asked, for the letter's "who came"
    (portal.reviews.hooks)."""
    review_hooks.register_review_panel("consultation", panel_html)
    review_hooks.register_review_finished("consultation", services.forget_contacts)
    review_hooks.register_invited_people("consultation", services.people_asked)


@bp.route("/reviews/<int:review_id>/parents/ask", methods=["GET", "POST"])
@role_required(*CASEWORK)
def ask(review_id: int):
    review = load_or_404(Review, review_id)
    form = AskParentForm()
    problem = None
    if form.validate_on_submit():
        try:
            services.ask_parent(review, form.description.data, form.channel.data, form.recipient.data)
        except services.ConsultationError as error:
            problem = str(error)
        else:
            db.session.commit()
            flash(_("Link queued. They can give their views until the review is held."), "success")
            return redirect(url_for("reviews.child_page", child_id=review.child_id) + f"#parents-{review.id}", 303)
    status = 400 if form.errors or problem else 200
    return render_template("consultation/ask.html", review=review, form=form, problem=problem), status


@bp.get("/reviews/<int:review_id>/parents/<int:consultation_id>")
@role_required(*CASEWORK)
def read(review_id: int, consultation_id: int):
    """One person's views; every read is on the record."""
    consultation = load_or_404(ParentConsultation, consultation_id)
    if consultation.review_id != review_id:
        abort(404)
    rows = services.read_for_staff(consultation)
    db.session.commit()
    return render_template("consultation/read.html", consultation=consultation, review=consultation.review,
                           rows=rows, hint=services.contact_hint(consultation),
                           status=services.status_of(consultation)), 200, NO_STORE

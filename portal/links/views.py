"""Private links: a GET shows a landing page and changes nothing."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, session, url_for
from flask_babel import format_date

from portal.audit import record_event
from portal.booklet.forms import ShortCodeForm, StartForm
from portal.booklet.models import Booklet
from portal.booklet.services import booklet_for_review, review_is_over, version_for_age
from portal.extensions import db, limiter
from portal.links.models import PrivateLink
from portal.links.services import find_usable_link, find_usable_short_code, mark_used, normalise_short_code
from portal.links.session import start_child_session
from portal.reviews.services import age_on
from portal.timeutil import london_date, utcnow

bp = Blueprint("links", __name__)

# Guessing tokens is hopeless, guessing short codes nearly so; these limits keep it that way.
LINK_LIMIT = "60 per minute"
SHORT_CODE_LIMIT = "20 per minute"


def not_found_page():
    """Unknown, revoked and expired links look the same, so a link's history never shows."""
    from portal.site.views import current_authority

    authority = current_authority()
    return render_template("links/not_found.html", phone=authority.contact_phone if authority else ""), 404


def happened_page(link: PrivateLink):
    """After the meeting the link still reaches the child's IRO: 'Start' leads to My IRO."""
    review = link.review
    form = StartForm()
    if request.method == "POST" and form.validate_on_submit():
        mark_used(link)
        _regenerate_session_id()
        start_child_session(link)
        record_event("link_opened_after_review", "review", review.id, link_id=link.id)
        db.session.commit()
        return redirect(url_for("my_iro.page"), 303)
    return render_review_happened(review, form, link=link)


def render_review_happened(review, form=None, link: PrivateLink | None = None):
    """'Your review has happened' (or was cancelled), with a way to reach the IRO."""
    return render_template("links/happened.html", review=review, iro=review.iro, form=form, link=link,
                           meeting_date=format_date(london_date(review.held_at or review.meeting_at), "d MMMM yyyy"))


def _existing_version(review) -> str | None:
    """The booklet's version without making a booklet: a GET changes nothing."""
    booklet = db.session.scalar(db.select(Booklet).filter_by(review_id=review.id))
    if booklet is not None:
        return booklet.version
    return version_for_age(age_on(review.child.date_of_birth, london_date(review.meeting_at)))


def _regenerate_session_id() -> None:
    """A fresh session id at Start, so nobody can plant one beforehand."""
    from flask import current_app

    regenerate = getattr(current_app.session_interface, "regenerate", None)
    if regenerate is not None:
        regenerate(session)


def booklet_landing(link: PrivateLink):
    """'Your IRO is …' and a Start button; only pressing Start uses the link."""
    review = link.review
    if review is None:
        return not_found_page()
    if review_is_over(review):
        return happened_page(link)
    version = _existing_version(review)
    if version is None:
        return not_found_page()
    form = StartForm()
    if request.method == "POST" and form.validate_on_submit():
        booklet = booklet_for_review(review)
        mark_used(link)
        if booklet.opened_at is None:
            booklet.opened_at = utcnow()
        _regenerate_session_id()
        start_child_session(link)
        record_event("booklet_opened", "booklet", booklet.id, link_id=link.id)
        from portal.booklet.views import apply_pending_draft, pending_draft_section

        apply_pending_draft(booklet)
        db.session.commit()
        section_key = pending_draft_section(booklet)
        if section_key:
            return redirect(url_for("booklet.section", section_key=section_key), 303)
        return redirect(url_for("booklet.contents"), 303)
    return render_template("links/landing.html", link=link, review=review, iro=review.iro, version=version,
                           form=form, meeting_date=format_date(london_date(review.meeting_at), "EEEE d MMMM"))


def open_private_link(link: PrivateLink | None):
    """Send each kind of link to its own page."""
    if link is None:
        return not_found_page()
    if link.purpose == "booklet":
        return booklet_landing(link)
    if link.purpose == "set-password":
        from portal.staff.views import set_password_page

        return set_password_page(link)
    return not_found_page()


@bp.route("/l/<token>", methods=["GET", "POST"])
@limiter.limit(LINK_LIMIT)
def open_link(token: str):
    return open_private_link(find_usable_link(token))


@bp.route("/s/<code>", methods=["GET", "POST"])
@limiter.limit(SHORT_CODE_LIMIT)
def open_short_code(code: str):
    return open_private_link(find_usable_short_code(code))


@bp.get("/s")
@limiter.limit(SHORT_CODE_LIMIT)
def short_code_form():
    """For people who type the short address from a letter: type the code here."""
    form = ShortCodeForm(formdata=request.args if "code" in request.args else None)
    if "code" in request.args and form.validate():
        if find_usable_short_code(form.code.data) is not None:
            return redirect(url_for("links.open_short_code", code=normalise_short_code(form.code.data)), 303)
        form.code.errors.append(_not_found_code_message())
    return render_template("links/short_code.html", form=form)


def _not_found_code_message() -> str:
    from flask_babel import gettext as _

    return _("We could not find that code. Check it and try again.")

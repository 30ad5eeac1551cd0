"""The child's side of the letter: their link (the letter's own, or the booklet's after the meeting) opens
the latest issued version, with Listen, a print stylesheet and "Download as PDF"."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, make_response, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from portal.audit import record_event
from portal.extensions import db
from portal.letters.models import LetterVersion
from portal.letters.pdf import letter_pdf
from portal.letters.services import latest_issued
from portal.links.forms import StartForm
from portal.links.models import PrivateLink
from portal.links.registry import register_purpose
from portal.links.services import issue_link, link_url
from portal.links.session import link_required, start_link_session
from portal.links.views import not_found_page
from portal.reviews.hooks import register_child_offer
from portal.reviews.models import Review
from portal.timeutil import as_utc, london_date

bp = Blueprint("letter_reading", __name__)

# A letter link lives this long after the meeting (the child may come back to their letter all year).
LETTER_LINK_DAYS = 400
PDF_FILENAME = "letter-from-your-review.pdf"
# The child's pages of the letter take their booklet link (after the meeting) or the letter's own.
letter_link_required = link_required(("booklet", "letter"), audience="child")


def issue_letter_link(review: Review) -> str:
    """A new private link for the child that opens their letter; returns its URL (to send once). Flushes."""
    expires = as_utc(review.held_at or review.meeting_at) + timedelta(days=LETTER_LINK_DAYS)
    _, token, _code = issue_link(purpose="letter", audience="child", review_id=review.id, expires_at=expires)
    return link_url(token)


def letter_landing(link: PrivateLink):
    """'A letter from your review' and Start; only pressing Start uses the link (a GET changes nothing)."""
    review = link.review
    if review is None or link.audience != "child":
        return not_found_page()
    form = StartForm()
    if request.method == "POST" and form.validate_on_submit():
        start_link_session(link)
        record_event("letter_link_opened", "review", review.id, link_id=link.id)
        db.session.commit()
        return redirect(url_for("letter_reading.read"), 303)
    return render_template("letters/landing.html", link=link, review=review, iro=review.iro, form=form)


register_purpose(
    bp, "letter",
    landing=letter_landing,
    start_endpoint="letter_reading.read",
    load_with=lambda: (joinedload(PrivateLink.review).joinedload(Review.child),),
)


def _offer(review: Review):
    if review.status == "held" and latest_issued(review) is not None:
        return _l("Read the letter from your review"), "letter_reading.read"
    return None


bp.record_once(lambda state: register_child_offer("letter", _offer))


def _changed_on(version: LetterVersion) -> str | None:
    if version.number <= 1 or version.issued_at is None:
        return None
    return format_date(london_date(version.issued_at), "d MMMM")


@bp.get("/letter")
@letter_link_required
def read(link: PrivateLink):
    review = link.review
    version = latest_issued(review) if review is not None and review.status == "held" else None
    if version is None:
        return render_template("letters/read.html", link=link, review=review, iro=review.iro if review else None,
                               version=None)
    record_event("letter_read", "review", review.id, link_id=link.id, detail=f"v{version.number}")
    db.session.commit()
    page = render_template("letters/read.html", link=link, review=review, iro=review.iro, version=version,
                           changed_on=_changed_on(version))
    return page, 200, {"Cache-Control": "no-store"}


@bp.get("/letter.pdf")
@letter_link_required
def pdf(link: PrivateLink):
    review = link.review
    version = latest_issued(review) if review is not None and review.status == "held" else None
    if version is None:
        return redirect(url_for("letter_reading.read"), 303)
    body = letter_pdf(version, review)
    record_event("letter_downloaded", "review", review.id, link_id=link.id, detail=f"v{version.number}")
    db.session.commit()
    return pdf_response(body)


def pdf_response(body: bytes):
    """A PDF to download, never kept by a shared computer's browser."""
    response = make_response(body)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="{PDF_FILENAME}"'
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response

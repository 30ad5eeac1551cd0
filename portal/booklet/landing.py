"""The booklet link's landing page: 'Your IRO is …' and Start; after the review, 'your review has happened'.

The booklet registers its link purpose here, when this blueprint is registered (it has no routes:
/l/<token> and /s/<code> are the links area's, which calls `booklet_landing` and knows nothing else).
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from portal.audit import record_event
from portal.booklet import answers as rules
from portal.booklet.models import Booklet
from portal.booklet.services import booklet_for_review, review_is_over, version_for_age
from portal.extensions import db
from portal.links.forms import StartForm
from portal.links.models import PrivateLink
from portal.links.registry import is_over, register_purpose, start_url
from portal.links.session import start_link_session
from portal.links.views import not_found_page
from portal.reviews.hooks import child_offers
from portal.reviews.models import Review
from portal.reviews.services import age_on
from portal.settings import authority_settings
from portal.timeutil import london_date, utcnow

bp = Blueprint("booklet_landing", __name__)


@bp.app_template_global("child_offers")
def offers_for(review: Review | None):
    """What other areas offer the child after their review (reviews.hooks): the booklet shows, never knows, them."""
    return child_offers(review)

# Answers a draft could not save over (changed on another device meanwhile), shown once on their
# section; portal.booklet.views reads them under the same key.
CONFLICTS_SESSION_KEY = "booklet_draft_conflicts"


def _existing_version(review: Review) -> str | None:
    """The booklet's version without making a booklet: a GET changes nothing."""
    booklet = db.session.scalar(db.select(Booklet).filter_by(review_id=review.id))
    if booklet is not None:
        return booklet.version
    return version_for_age(age_on(review.child.date_of_birth, london_date(review.meeting_at)))


def apply_pending_draft(booklet: Booklet) -> None:
    """After Start: save what the child wrote before the lock, into this booklet only; the caller commits."""
    draft = session.get(rules.DRAFT_SESSION_KEY)
    if not draft:
        return
    result = rules.apply_draft(booklet, draft)
    if result is None:
        # Not this booklet's draft (or too old): leave another child's words alone, unread.
        refs = (draft.get("fields") or {}).get("booklet_ref") or [None]
        if rules.booklet_id_from_ref(refs[0]) is None:
            session.pop(rules.DRAFT_SESSION_KEY, None)
        return
    session.pop(rules.DRAFT_SESSION_KEY, None)
    if result.conflicts:
        session[CONFLICTS_SESSION_KEY] = {
            "booklet_id": booklet.id, "section": draft["section"],
            "mine": {key: [c.mine_state, c.mine_value] for key, c in result.conflicts.items()}}
        flash(_("We kept what you wrote before. Some answers were changed on another device: "
                "choose which to keep."), "info")
    else:
        flash(_("We saved what you wrote before."), "success")


def pending_draft_section(booklet: Booklet) -> str | None:
    """The section whose conflicts the child is asked about first, after Start."""
    kept = session.get(CONFLICTS_SESSION_KEY)
    return kept["section"] if kept and kept.get("booklet_id") == booklet.id else None


def booklet_landing(link: PrivateLink):
    """'Your IRO is …' and a Start button; only pressing Start uses the link."""
    review = link.review
    if review is None:
        return not_found_page()
    if is_over(link):
        return happened_page(link)
    version = _existing_version(review)
    if version is None:
        return not_found_page()
    form = StartForm()
    if request.method == "POST" and form.validate_on_submit():
        start_link_session(link)
        booklet = booklet_for_review(review)
        if booklet.opened_at is None:
            booklet.opened_at = utcnow()
        record_event("booklet_opened", "booklet", booklet.id, link_id=link.id)
        apply_pending_draft(booklet)
        db.session.commit()
        section_key = pending_draft_section(booklet)
        if section_key:
            return redirect(url_for("booklet.section", section_key=section_key), 303)
        return redirect(start_url(link), 303)
    return render_template("booklet/landing.html", link=link, review=review, iro=review.iro, version=version,
                           form=form, meeting_date=format_date(london_date(review.meeting_at), "EEEE d MMMM"))


def happened_page(link: PrivateLink):
    """After the meeting the link still reaches the child's IRO: 'Start' leads to My IRO."""
    review = link.review
    form = StartForm()
    if request.method == "POST" and form.validate_on_submit():
        start_link_session(link)
        record_event("link_opened_after_review", "review", review.id, link_id=link.id)
        db.session.commit()
        chosen = next((offer for offer in child_offers(review) if offer.name == request.form.get("offer")), None)
        return redirect(url_for(chosen.endpoint if chosen else "my_iro.page"), 303)
    return render_review_happened(review, form, link=link)


def render_review_happened(review: Review, form: StartForm | None = None, link: PrivateLink | None = None):
    """'Your review has happened' (or was cancelled), with a way to reach the IRO."""
    return render_template("booklet/happened.html", review=review, iro=review.iro, form=form, link=link,
                           meeting_date=format_date(london_date(review.held_at or review.meeting_at), "d MMMM yyyy"))


register_purpose(
    bp, "booklet",
    landing=booklet_landing,
    start_endpoint="booklet.contents",
    is_over=lambda link: link.review is not None and review_is_over(link.review),
    idle_minutes=lambda link: authority_settings().booklet_idle_minutes,
    lock_template="links/locked.html",
    # Every booklet page and save reads the link, its review and the booklet: one query.
    load_with=lambda: (joinedload(PrivateLink.review).joinedload(Review.booklet),),
)

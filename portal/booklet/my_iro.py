"""My IRO: who my IRO is and how to reach them (messages are the safeguarding area's)."""

from __future__ import annotations

from flask import Blueprint, abort, make_response, render_template, request, url_for
from flask_babel import gettext as _

from portal.booklet.services import review_is_over
from portal.links.models import PrivateLink
from portal.links.session import child_link_required
from portal.reviews.hooks import child_offers
from portal.reviews.models import Review
from portal.settings import authority_settings
from portal.staff.models import StaffUser

bp = Blueprint("my_iro", __name__)

# Only types a browser shows as a picture and never runs: no SVG, which can carry script.
PHOTO_TYPES = frozenset({"image/jpeg", "image/png", "image/webp", "image/gif"})


def way_back(link: PrivateLink, came_from: str | None) -> tuple[str, str] | None:
    """(words, url) of the page the child came from: the letter they read, else their open booklet."""
    review: Review = link.review
    if came_from == "letter":
        letter = next((offer for offer in child_offers(review) if offer.name == "letter"), None)
        if letter is not None:
            return _("Back to the letter from your review"), url_for(letter.endpoint)
    if link.purpose == "booklet" and not review_is_over(review):
        return _("Back to my booklet"), url_for("booklet.contents")
    return None


@bp.get("/my-iro")
@child_link_required
def page(link: PrivateLink):
    iro: StaffUser = link.review.child.iro  # the child's IRO now (a held review keeps who chaired it)
    return render_template("booklet/my_iro.html", link=link, iro=iro, authority=authority_settings(),
                           has_photo=bool(iro.photo) and iro.photo_type in PHOTO_TYPES,
                           back=way_back(link, request.args.get("from")))


@bp.get("/my-iro/photo")
@child_link_required
def photo(link: PrivateLink):
    iro: StaffUser = link.review.child.iro  # the child's IRO now (a held review keeps who chaired it)
    if not iro.photo or iro.photo_type not in PHOTO_TYPES:
        abort(404)
    response = make_response(iro.photo)
    response.headers["Content-Type"] = iro.photo_type
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response

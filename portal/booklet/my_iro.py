"""My IRO: who my IRO is and how to reach them (messages are the safeguarding area's)."""

from __future__ import annotations

from flask import Blueprint, abort, make_response, render_template

from portal.links.models import PrivateLink
from portal.links.session import child_link_required
from portal.settings import authority_settings
from portal.staff.models import StaffUser

bp = Blueprint("my_iro", __name__)

# Only types a browser shows as a picture and never runs: no SVG, which can carry script.
PHOTO_TYPES = frozenset({"image/jpeg", "image/png", "image/webp", "image/gif"})


@bp.get("/my-iro")
@child_link_required
def page(link: PrivateLink):
    iro: StaffUser = link.review.iro
    return render_template("booklet/my_iro.html", link=link, iro=iro, authority=authority_settings(),
                           has_photo=bool(iro.photo) and iro.photo_type in PHOTO_TYPES)


@bp.get("/my-iro/photo")
@child_link_required
def photo(link: PrivateLink):
    iro: StaffUser = link.review.iro
    if not iro.photo or iro.photo_type not in PHOTO_TYPES:
        abort(404)
    response = make_response(iro.photo)
    response.headers["Content-Type"] = iro.photo_type
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response

"""Private links: /l/<token> and /s/<code> lead to the landing page of the link's purpose.

Which purposes exist, and what their pages are, is the areas' business (see portal.links.registry);
a GET shows a landing page and changes nothing, and makes no session (see `sessionless_form`).
"""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext as _

from portal.extensions import limiter
from portal.links.forms import ShortCodeForm
from portal.links.models import PrivateLink
from portal.links.registry import get_purpose
from portal.links.services import find_usable_link, find_usable_short_code, normalise_short_code
from portal.links.words import TEMPLATE_GLOBALS
from portal.security import sessionless_form

bp = Blueprint("links", __name__)
# Every child's page says who their IRO is the first time it names them (portal.links.words).
for _name, _helper in TEMPLATE_GLOBALS.items():
    bp.add_app_template_global(_helper, _name)

# Guessing tokens is hopeless, guessing short codes nearly so; these limits keep it that way.
LINK_LIMIT = "60 per minute"
SHORT_CODE_LIMIT = "20 per minute"


def not_found_page():
    """Unknown, revoked and expired links look the same, so a link's history never shows."""
    return render_template("links/not_found.html"), 404


def open_private_link(link: PrivateLink | None):
    """Send each kind of link to the landing page its area registered; any other is not found."""
    purpose = get_purpose(link.purpose) if link is not None else None
    if purpose is None:
        return not_found_page()
    return purpose.landing(link)


@bp.route("/l/<token>", methods=["GET", "POST"])
@limiter.limit(LINK_LIMIT)
@sessionless_form
def open_link(token: str):
    return open_private_link(find_usable_link(token))


@bp.route("/s/<code>", methods=["GET", "POST"])
@limiter.limit(SHORT_CODE_LIMIT)
@sessionless_form
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
        form.code.errors.append(_("We could not find that code. Check it and try again."))
    return render_template("links/short_code.html", form=form)

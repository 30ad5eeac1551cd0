"""My IRO: who my IRO is, and sending them a message at any time."""

from __future__ import annotations

from flask import Blueprint, abort, make_response, redirect, render_template, session, url_for
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCharacterCount, GovSubmitInput
from wtforms import SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from portal.audit import record_event
from portal.booklet.child_session import child_link_required
from portal.booklet.models import ChildMessage
from portal.extensions import db, limiter
from portal.links.models import PrivateLink
from portal.staff.models import StaffUser
from portal.staff.services import authority_settings

bp = Blueprint("my_iro", __name__)

MESSAGE_LIMIT = 2000
# Only types a browser shows as a picture and never runs: no SVG, which can carry script.
PHOTO_TYPES = frozenset({"image/jpeg", "image/png", "image/webp", "image/gif"})
SENT_KEY = "my_iro_message_sent"

EMERGENCY_PHONE = "999"
CHILDLINE_PHONE = "0800 1111"


class MessageForm(FlaskForm):
    body = TextAreaField(_l("What do you want to tell your IRO?"), widget=GovCharacterCount(),
                         filters=[lambda value: value.strip() if isinstance(value, str) else value],
                         validators=[DataRequired(message=_l("Write your message")),
                                     Length(max=MESSAGE_LIMIT,
                                            message=_l("Your message must be %(n)d characters or fewer. "
                                                       "It is still here: make it shorter, or send the rest "
                                                       "in another message.", n=MESSAGE_LIMIT))])
    submit = SubmitField(_l("Send to my IRO"), widget=GovSubmitInput())


def tel_href(phone: str) -> str:
    """A tel: address: digits and a leading plus only, so every phone can dial it."""
    return "tel:" + "".join(ch for ch in phone if ch.isdigit() or ch == "+")


@bp.app_template_global()
def help_now_contacts(link: PrivateLink | None) -> dict:
    """Who a child can call now: 999, Childline, and their IRO (or the IRO service) from their link."""
    authority = authority_settings()
    iro = link.review.iro if link is not None and link.review is not None else None
    return {
        "emergency": EMERGENCY_PHONE,
        "childline": CHILDLINE_PHONE,
        "iro_name": iro.name if iro else "",
        "iro_phone": (iro.phone if iro else "") or "",
        "service_phone": authority.contact_phone or "",
    }


@bp.app_template_filter("tel_href")
def tel_href_filter(phone: str) -> str:
    return tel_href(phone or "")


def save_child_message(link: PrivateLink, body: str) -> ChildMessage:
    """Keep the child's message for their IRO, screen it for risk, audit it; the caller commits."""
    from portal.booklet.screening import screen_message

    message = ChildMessage(review_id=link.review_id, body=body)
    db.session.add(message)
    db.session.flush()
    screen_message(message)
    record_event("create", "child_message", message.id, link_id=link.id)
    return message


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


@bp.route("/my-iro/message", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
@child_link_required
def message(link: PrivateLink):
    form = MessageForm()
    if form.validate_on_submit():
        sent = save_child_message(link, form.body.data)
        db.session.commit()
        session[SENT_KEY] = {"urgent": bool(sent.urgent)}
        return redirect(url_for("my_iro.message_sent"), 303)
    return render_template("booklet/my_iro_message.html", link=link, iro=link.review.iro, form=form,
                           limit=MESSAGE_LIMIT)


@bp.get("/my-iro/message/sent")
@child_link_required
def message_sent(link: PrivateLink):
    sent = session.pop(SENT_KEY, None)
    if sent is None:
        return redirect(url_for("my_iro.page"), 303)
    return render_template("booklet/my_iro_message_sent.html", link=link, iro=link.review.iro,
                           urgent=sent.get("urgent", False))

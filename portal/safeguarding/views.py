"""The child's side: 'I want to tell my IRO something', and who to call now on every page.

A message is never lost: its draft saves as the child types; the form carries a signed, one-time
submission reference, so Send works after the idle lock or an expired CSRF token, and a double
click sends it once.
"""

from __future__ import annotations

import uuid

from flask import Blueprint, current_app, jsonify, redirect, render_template, request, session, url_for
from flask_babel import format_number
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeTimedSerializer

from portal.errors import keep_words_after_csrf_error
from portal.extensions import csrf, db, limiter
from portal.links.models import PrivateLink
from portal.links.services import is_usable
from portal.links.session import child_link_required, current_child_link
from portal.questionnaires.kinds import character_count_texts
from portal.safeguarding import services
from portal.settings import authority_settings

bp = Blueprint("messages", __name__)

MESSAGE_LIMIT = 2000
# A draft keeps far more than a message may send, so nothing typed is cut before the child sees the limit.
DRAFT_LIMIT = 20_000
SENT_KEY = "child_message_sent"
SUBMISSION_SALT = "child-message"
# A page left open for a day can still send what was written on it.
SUBMISSION_MAX_AGE = 24 * 3600
MESSAGE_PATH = "/my-iro/message"

EMERGENCY_PHONE = "999"
CHILDLINE_PHONE = "0800 1111"
MEIC_PHONE = "080880 23456"


# --- Who to call now --------------------------------------------------------------------------

def tel_href(phone: str) -> str:
    """A tel: address: digits and a leading plus only, so every phone can dial it."""
    return "tel:" + "".join(ch for ch in phone if ch.isdigit() or ch == "+")


@bp.app_template_global()
def help_now_contacts(link: PrivateLink | None = None) -> dict:
    """Who a child can call now: 999, Childline, Meic (Wales), and their IRO or the IRO service."""
    authority = authority_settings()
    iro = services.current_iro(link.review) if link is not None and link.review is not None else None
    return {
        "emergency": EMERGENCY_PHONE,
        "childline": CHILDLINE_PHONE,
        "meic": MEIC_PHONE,
        "iro_name": iro.name if iro else "",
        "iro_phone": (iro.phone if iro else "") or "",
        "service_phone": authority.contact_phone or "",
    }


@bp.app_template_filter("tel_href")
def tel_href_filter(phone: str) -> str:
    return tel_href(phone or "")


# --- The submission reference -----------------------------------------------------------------

def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SUBMISSION_SALT)


def new_submission(link: PrivateLink) -> str:
    """A signed reference for one message form: which link, and one id for however many clicks."""
    return _serializer().dumps({"link": link.id, "id": uuid.uuid4().hex})


def read_submission(value: str | None) -> tuple[PrivateLink, str] | None:
    """The live link and submission id of a signed reference, or None."""
    if not value:
        return None
    try:
        data = _serializer().loads(value, max_age=SUBMISSION_MAX_AGE)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("id"), str) or not isinstance(data.get("link"), int):
        return None
    link = db.session.get(PrivateLink, data["link"])
    if not is_usable(link) or link.review is None:
        return None
    return link, data["id"]


def clean_body(value: str | None) -> str:
    """The message trimmed (every request's text is already cleaned of control characters once, by
    portal.requests)."""
    return (value or "").strip()


def body_error(body: str) -> str | None:
    if not body:
        return _("Write your message")
    if len(body) > MESSAGE_LIMIT:
        return _("Your message must be %(n)s characters or fewer. It is still here: make it shorter, or send "
                 "the rest in another message.", n=format_number(MESSAGE_LIMIT))
    return None


# --- Pages ------------------------------------------------------------------------------------

def _render_form(link: PrivateLink, body: str, error: str | None = None, submission: str | None = None,
                 status: int = 200, message: str | None = None):
    return render_template("safeguarding/message.html", link=link, iro=services.current_iro(link.review), body=body, error=error,
                           submission=submission or new_submission(link), limit=MESSAGE_LIMIT,
                           count_texts=character_count_texts(MESSAGE_LIMIT),
                           notice=message), status


@bp.get(MESSAGE_PATH)
@child_link_required
def write(link: PrivateLink):
    return _render_form(link, services.message_draft(link.review))


@bp.post(MESSAGE_PATH)
@csrf.exempt  # the signed submission reference does CSRF's job, and outlives the idle lock
@limiter.limit("10 per minute")
def send():
    submitted = read_submission(request.form.get("submission"))
    body = clean_body(request.form.get("body"))
    live = current_child_link()
    if submitted is None or (live is not None and live.review_id != submitted[0].review_id):
        # Not a form this portal gave this child (or too old to trust): keep nothing, show the lock.
        return render_template("links/locked.html", timed_out=live is None), 401 if live is None else 400
    link, submission_id = submitted
    error = body_error(body)
    if error:
        if live is None:
            if body:
                services.save_message_draft(link.review, body[:DRAFT_LIMIT])
                db.session.commit()
            return render_template("links/locked.html", timed_out=True, message_kept=bool(body)), 401
        return _render_form(live, body, error, request.form.get("submission"), 400)
    message, _created = services.send_child_message(link.review, body, submission_id=submission_id,
                                                    link_id=link.id)
    db.session.commit()
    if live is None:
        # Sent, but the page had been locked: say so without showing anything of the child's.
        return render_template("safeguarding/message_sent.html", link=None, iro=None, urgent=bool(message.urgent),
                               locked=True)
    session[SENT_KEY] = {"urgent": bool(message.urgent)}
    return redirect(url_for("messages.sent"), 303)


@bp.get(MESSAGE_PATH + "/sent")
@child_link_required
def sent(link: PrivateLink):
    shown = session.pop(SENT_KEY, None)
    if shown is None:
        return redirect(url_for("my_iro.page"), 303)
    return render_template("safeguarding/message_sent.html", link=link, iro=services.current_iro(link.review),
                           urgent=shown.get("urgent", False), locked=False)


@bp.post(MESSAGE_PATH + "/draft")
@limiter.limit("120 per minute")
def save_draft():
    """Keep what the child is writing as they write it (JavaScript); also keeps the session alive."""
    link = current_child_link()
    if link is None:
        return jsonify(status="locked", message=_("This page is locked. Your message is still on this "
                                                  "screen: press Send to send it.")), 401
    data = request.get_json(silent=True)
    body = data.get("body") if isinstance(data, dict) else None
    if not isinstance(body, str):
        return jsonify(status="invalid"), 400
    services.save_message_draft(link.review, clean_body(body)[:DRAFT_LIMIT])
    db.session.commit()
    return jsonify(status="saved", message=_("Draft saved. It is not sent yet."))


def keep_message_after_csrf_error(error):
    """The draft endpoint's CSRF token ran out: say so in JSON; the page keeps the words."""
    if request.method == "POST" and request.path == MESSAGE_PATH + "/draft":
        return jsonify(status="expired", message=_("Not saved as a draft. Press Send to send your message.")), 400
    return None


bp.record_once(lambda state: keep_words_after_csrf_error(state.app, keep_message_after_csrf_error))

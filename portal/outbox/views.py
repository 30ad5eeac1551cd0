"""The development outbox: staff read what would have been sent (never when Notify is on)."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template
from flask_login import current_user
from sqlalchemy import or_

from portal import jobs
from portal.extensions import db
from portal.outbox.models import OutboxMessage
from portal.outbox.sender import send_pending
from portal.outbox.services import mask_address, render_text, set_waker
from portal.security import ALL_STAFF, CASEWORK, IRO, role_required, visible_review_ids

bp = Blueprint("outbox", __name__)
SEND_JOB = "send_outbox"
# Send what is due every minute; a commit that queued a message wakes it at once.
bp.record_once(lambda state: (jobs.register_periodic(SEND_JOB, send_pending, minute="*"),
                              set_waker(lambda: jobs.enqueue(SEND_JOB))))


def dev_outbox_enabled() -> bool:
    """Only where nothing is really sent: no Notify key, not production."""
    config = current_app.config
    return not config.get("NOTIFY_API_KEY") and not config.get("PRODUCTION")


def visible_messages():
    """Messages the signed-in person may read here, newest first: those sent to them, and (IROs and
    managers) those about the children they may see; secret links stay hidden (see may_see_link)."""
    addressed = db.func.lower(OutboxMessage.recipient) == current_user.email.lower()
    query = db.select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(200)
    if current_user.role in CASEWORK:
        return list(db.session.scalars(query.where(or_(OutboxMessage.review_id.in_(visible_review_ids()),
                                                       addressed))))
    return list(db.session.scalars(query.where(addressed)))


def may_see_link(message: OutboxMessage) -> bool:
    """A secret link only for the person it was sent to, or the IRO inviting their own child."""
    if message.recipient.lower() == current_user.email.lower():
        return True
    return message.template != "set_password" and current_user.role == IRO and message.review_id is not None


def shown_recipient(message: OutboxMessage) -> str:
    """The whole address only to the person it was sent to; everyone else sees enough to recognise it."""
    if message.recipient.lower() == current_user.email.lower():
        return message.recipient
    return mask_address(message.channel, message.recipient)


@bp.get("/outbox")
@role_required(*ALL_STAFF)
def index():
    if not dev_outbox_enabled():
        abort(404)
    messages = visible_messages()
    return render_template("outbox/index.html", messages=[
        (m, render_text(m, show_link=may_see_link(m)), shown_recipient(m)) for m in messages])

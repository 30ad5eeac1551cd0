"""Send what the outbox holds: GOV.UK Notify when a key is set, else the development outbox."""

from __future__ import annotations

import logging
import os
from datetime import timedelta

from flask import current_app
from notifications_python_client.notifications import NotificationsAPIClient

from portal.extensions import db
from portal.outbox.models import OutboxMessage
from portal.outbox.services import SCRUBBED
from portal.timeutil import utcnow

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8


class MissingTemplate(RuntimeError):
    """No Notify template id is configured for a message kind and channel."""


def notify_client():
    """The GOV.UK Notify client (tests replace this function)."""
    return NotificationsAPIClient(current_app.config["NOTIFY_API_KEY"])


def template_id(kind: str, channel: str) -> str:
    """NOTIFY_TEMPLATE_<KIND>_<CHANNEL> from the app config or the environment."""
    name = f"NOTIFY_TEMPLATE_{kind.upper()}_{channel.upper()}"
    value = current_app.config.get(name) or os.environ.get(name)
    if not value:
        raise MissingTemplate(f"{name} is not set")
    return value


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, 8 … minutes after the 1st, 2nd, 3rd, 4th failed attempt."""
    return timedelta(minutes=2 ** max(attempts - 1, 0))


def _due_query(now):
    query = (db.select(OutboxMessage)
             .where(OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= now)
             .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
             .limit(1))
    if db.session.get_bind().dialect.name == "postgresql":
        # Two senders never take the same message; each skips rows the other holds.
        query = query.with_for_update(skip_locked=True)
    return query


def _send_through_notify(client, message: OutboxMessage) -> str | None:
    template = template_id(message.template, message.channel)
    personalisation = dict(message.personalisation or {})
    if message.channel == "sms":
        response = client.send_sms_notification(phone_number=message.recipient, template_id=template,
                                                 personalisation=personalisation, reference=str(message.id))
    else:
        response = client.send_email_notification(email_address=message.recipient, template_id=template,
                                                  personalisation=personalisation, reference=str(message.id))
    return (response or {}).get("id") if isinstance(response, dict) else None


def send_one(message: OutboxMessage, client=None) -> bool:
    """Try one message; on failure schedule the next try or give up after MAX_ATTEMPTS."""
    now = utcnow()
    message.attempts = (message.attempts or 0) + 1
    try:
        if client is not None:
            message.provider_id = _send_through_notify(client, message)
            # The link is a key to a child's booklet: once Notify has it, we keep no copy.
            if "url" in (message.personalisation or {}):
                message.personalisation = {**message.personalisation, "url": SCRUBBED}
        message.status = "sent"
        message.sent_at = now
        message.last_error = ""
        return True
    except Exception as error:  # noqa: BLE001 - any failure is retried later
        message.last_error = f"{error.__class__.__name__}: {error}"[:1000]
        if message.attempts >= MAX_ATTEMPTS:
            message.status = "failed"
            log.error("Outbox message %s failed after %s attempts", message.id, message.attempts)
        else:
            message.next_attempt_at = now + backoff(message.attempts)
        return False


def send_pending(limit: int = 50) -> int:
    """Send due messages one at a time, each in its own transaction; return how many were tried."""
    client = notify_client() if current_app.config.get("NOTIFY_API_KEY") else None
    tried = 0
    while tried < limit:
        message = db.session.scalar(_due_query(utcnow()))
        if message is None:
            break
        send_one(message, client)
        db.session.commit()
        tried += 1
    db.session.commit()
    return tried

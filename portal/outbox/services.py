"""Queue messages in the caller's transaction; say what each one reads."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

from flask import current_app, has_app_context, has_request_context
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import event
from sqlalchemy.orm import Session

from portal.extensions import db
from portal.outbox.models import CHANNELS, OutboxMessage
from portal.timeutil import utcnow

log = logging.getLogger(__name__)

# Message kinds and their words. Only a first name and a link ever go in: a text or email can be
# read by anyone holding the phone, so nothing else about a child is written into it.
TEMPLATES = {
    "booklet_invitation": _l("Hi %(first_name)s, your review is coming up. Tell your IRO what you think: %(url)s"),
    "booklet_reminder": _l("Hi %(first_name)s, a reminder: your review is coming up soon. "
                           "You can still tell your IRO what you think: %(url)s"),
    "urgent_notice": _l("A child you work with has written something that may need attention. "
                        "Sign in to read it: %(url)s"),
    "urgent_escalation": _l("A child has written something that may need attention and nobody has "
                            "looked at it yet. Sign in to read it: %(url)s"),
    "set_password": _l("Hi %(first_name)s, set your password for the My Review portal: %(url)s"),
    "child_message_notice": _l("A child you work with has sent you a message. Sign in to read it: %(url)s"),
    # Feedback after a review, and parents' and carers' views before one: no name at all, not even a first
    # name (the message may reach a shared inbox), only the link.
    "feedback_invitation": _l("Thank you for coming to the review. Please tell us how it went; it takes about "
                              "3 minutes and nobody will know it was you: %(url)s"),
    "feedback_reminder": _l("A reminder: you can still tell us how the review went, in about 3 minutes. Nobody "
                            "will know it was you: %(url)s"),
    "consultation_invitation": _l("A review of a child's care plan is coming up. Tell the Independent Reviewing "
                                  "Officer your views before the meeting: %(url)s"),
    # The letter after a review: nothing about the child or the review, only that it is ready and the link.
    "letter_ready": _l("The letter from your review is ready. You can read it here: %(url)s"),
}
# The only personalisation keys allowed, per kind.
FIELDS = {
    "booklet_invitation": {"first_name", "url"},
    "booklet_reminder": {"first_name", "url"},
    "urgent_notice": {"url"},
    "urgent_escalation": {"url"},
    "set_password": {"first_name", "url"},
    "child_message_notice": {"url"},
    "feedback_invitation": {"url"},
    "feedback_reminder": {"url"},
    "consultation_invitation": {"url"},
    "letter_ready": {"url"},
}
SCRUBBED = "-"
KICK_FLAG = "outbox_kick"


class OutboxError(ValueError):
    """A message the outbox refuses to queue."""


def queue_message(channel: str, recipient: str, template: str, personalisation: dict,
                  review_id: int | None = None) -> OutboxMessage:
    """Add a message to the caller's transaction; it is sent after the caller commits."""
    if channel not in CHANNELS:
        raise OutboxError(f"Unknown channel {channel!r}")
    if template not in TEMPLATES:
        raise OutboxError(f"Unknown message kind {template!r}")
    extra = set(personalisation) - FIELDS[template]
    if extra:
        raise OutboxError(f"{template} takes only {sorted(FIELDS[template])}, not {sorted(extra)}")
    recipient = (recipient or "").strip()
    if not recipient:
        raise OutboxError("No recipient")
    message = OutboxMessage(channel=channel, recipient=recipient, template=template,
                            personalisation={k: str(v) for k, v in personalisation.items()},
                            status="pending", attempts=0, next_attempt_at=utcnow(), last_error="",
                            review_id=review_id)
    db.session.add(message)
    # Ask for a prompt send once this transaction commits (the minute job catches anything missed).
    db.session.info[KICK_FLAG] = True
    return message


# Messages whose link is a key to something (an account, a child's booklet): never shown to anyone but
# the person it was sent to (or, for a child's link, the IRO who sends it).
SECRET_LINKS = frozenset({"set_password", "booklet_invitation", "booklet_reminder", "feedback_invitation",
                          "feedback_reminder", "consultation_invitation", "letter_ready"})


EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def normalise_email(value: str | None) -> str | None:
    """A plausible email address, trimmed, or None."""
    value = (value or "").strip()
    if len(value) > 254 or not EMAIL_PATTERN.match(value):
        return None
    return value


def normalise_uk_mobile(value: str | None) -> str | None:
    """A UK mobile number as +447…, from the ways people write one, or None."""
    digits = re.sub(r"[\s\-().]", "", value or "")
    if digits.startswith("+"):
        digits = digits[1:]
        if not digits.startswith("44"):
            return None
    elif digits.startswith("0044"):
        digits = digits[2:]
    if digits.startswith("44"):
        rest = digits[2:]
        rest = rest[1:] if rest.startswith("0") else rest
    elif digits.startswith("0"):
        rest = digits[1:]
    else:
        return None
    if not rest.isdigit() or len(rest) != 10 or not rest.startswith("7"):
        return None
    return "+44" + rest


def normalise_address(channel: str, value: str | None) -> str | None:
    """An address for a channel ('email' or 'sms') as messages are sent to it, or None when it is not one."""
    if channel == "email":
        return normalise_email(value)
    return normalise_uk_mobile(value) if channel == "sms" else None


MASK = "\u2022"  # a bullet: the hidden part of an address


def mask_address(channel: str, address: str) -> str:
    """Enough of an address to recognise it, never the whole: 07••• ••• 982, s•••@example.org."""
    if channel == "sms":
        rest = address.removeprefix("+44")
        return f"0{rest[:1]}{MASK * 3} {MASK * 3} {rest[-3:]}"
    local, _at, domain = address.rpartition("@")
    return f"{local[:1]}{MASK * 3}@{domain}"


def render_text(message: OutboxMessage, locale: str | None = None, *, show_link: bool = True) -> str:
    """The words of a message in the reader's language (English outside a request)."""
    if locale or not has_request_context():
        with force_locale(locale or current_app.config.get("BABEL_DEFAULT_LOCALE", "en")):
            return _render(message, show_link)
    return _render(message, show_link)


def _render(message: OutboxMessage, show_link: bool = True) -> str:
    values = {key: "" for key in FIELDS.get(message.template, ())}
    values.update(message.personalisation or {})
    if values.get("url") in (None, "", SCRUBBED):
        values["url"] = str(_l("(link removed after sending)"))
    elif not show_link and message.template in SECRET_LINKS:
        values["url"] = str(_l("(link hidden: only the person it was sent to can see it)"))
    text = TEMPLATES.get(message.template)
    return str(text) % values if text is not None else ""


def staff_url(path: str) -> str:
    """An absolute address on the staff side, for notices sent outside a request."""
    return f"{current_app.config['BASE_URL']}{path}"


_waker: Callable[[], object] | None = None


def set_waker(waker: Callable[[], object] | None) -> None:
    """How to wake the sender after a commit (set by create_app: queue the send job)."""
    global _waker
    _waker = waker


def kick_sender() -> None:
    """Ask the job queue to send what is waiting now rather than at the next minute."""
    if _waker is None:
        return
    try:
        _waker()
    except Exception:  # noqa: BLE001 - the minute job sends it anyway; never fail the request
        log.exception("Could not enqueue the outbox sender")


@event.listens_for(Session, "after_commit")
def _kick_after_commit(session: Session) -> None:
    if not session.info.pop(KICK_FLAG, False) or not has_app_context():
        return
    # In immediate mode the task would run here, inside the commit, where no SQL may run: the
    # caller (or a test) runs send_pending itself.
    if current_app.config.get("HUEY_IMMEDIATE"):
        return
    kick_sender()


@event.listens_for(Session, "after_rollback")
def _forget_kick(session: Session) -> None:
    session.info.pop(KICK_FLAG, None)

"""Inviting a child to their booklet: by email, by text, or on a printed letter with a QR code."""

from __future__ import annotations

import re
from dataclasses import dataclass

import segno
from flask_babel import lazy_gettext as _l

from portal.audit import record_event
from portal.booklet.models import VERSIONS, Booklet
from portal.booklet.questions import CURRENT_SET
from portal.booklet.services import booklet_for_review, issue_booklet_link
from portal.outbox.services import queue_message
from portal.reviews.models import Review
from portal.timeutil import utcnow

EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class InvitationError(ValueError):
    """An invitation that cannot be sent; the message says why, for the IRO."""


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


def normalise_recipient(channel: str, value: str | None) -> str | None:
    return normalise_email(value) if channel == "email" else normalise_uk_mobile(value)


def first_name(review: Review) -> str:
    """The name the child likes to be called, first word only: nothing else goes in a message."""
    name = (review.child.preferred_name or review.child.first_name or "").strip()
    return name.split()[0] if name else ""


def _ready_booklet(review: Review) -> Booklet:
    if review.status != "planned":
        raise InvitationError(_l("This review is not planned, so there is nothing to invite to."))
    booklet = booklet_for_review(review)
    if booklet is None:
        raise InvitationError(_l("Children under 4 do not get a booklet."))
    return booklet


def send_invitation(review: Review, channel: str, recipient: str) -> Booklet:
    """A fresh link (older ones stop working), queued by email or text; the caller commits."""
    address = normalise_recipient(channel, recipient)
    if address is None:
        raise InvitationError(_l("Enter a valid email address or UK mobile number."))
    booklet = _ready_booklet(review)
    url, _short = issue_booklet_link(review)
    kind = "booklet_reminder" if booklet.invited_at else "booklet_invitation"
    queue_message(channel, address, kind, {"first_name": first_name(review), "url": url}, review_id=review.id)
    if booklet.invited_at is None:
        booklet.invited_at = utcnow()
    # The address is not kept anywhere but the outbox: the audit says only how it went.
    record_event("booklet_invited", "booklet", booklet.id, detail=f"{kind}:{channel}")
    return booklet


@dataclass(frozen=True)
class InvitationLetter:
    url: str
    short_url: str
    code: str
    qr_svg: str


def format_code(code: str) -> str:
    """ABCDE FGHJK: easier to copy from paper."""
    return " ".join(code[i:i + 5] for i in range(0, len(code), 5))


def make_invitation_letter(review: Review) -> InvitationLetter:
    """A fresh link for a printed letter, with its QR code; the caller commits."""
    booklet = _ready_booklet(review)
    url, short = issue_booklet_link(review)
    code = short.rsplit("/", 1)[-1]
    # The short address makes a smaller code that prints and scans well; a viewBox (no fixed size) lets
    # the printed size scale the whole code, all three corner squares included.
    qr = segno.make(short, error="m").svg_inline(scale=1, border=4, svgclass="portal-qr", omitsize=True)
    # Inline SVG needs no script or style attribute, so it sits inside the CSP; it is named for screen readers.
    label = str(_l("QR code: scan it with a phone camera to open your booklet"))
    qr = qr.replace("<svg ", f'<svg role="img" aria-label="{label}" ', 1)
    if booklet.invited_at is None:
        booklet.invited_at = utcnow()
    record_event("invitation_letter_made", "booklet", booklet.id)
    return InvitationLetter(url=url, short_url=short, code=format_code(code), qr_svg=qr)


def change_version(review: Review, version: str) -> Booklet:
    """The IRO picks the other version; only before the child has started, so no answer is stranded."""
    if version not in VERSIONS:
        raise InvitationError(_l("Unknown booklet version."))
    booklet = booklet_for_review(review)
    if booklet is None:
        raise InvitationError(_l("Children under 4 do not get a booklet."))
    if booklet.started_at is not None or booklet.answers:
        raise InvitationError(_l("The child has started this booklet, so its version cannot change now."))
    if booklet.version != version:
        booklet.version = version
        booklet.question_set = CURRENT_SET[version]
        booklet.version_chosen_by = "iro"
        record_event("booklet_version_changed", "booklet", booklet.id, detail=version)
    return booklet

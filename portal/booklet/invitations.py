"""Inviting a child to their booklet: by email, by text, or on a printed letter with a QR code."""

from __future__ import annotations

from dataclasses import dataclass

import segno
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from portal.audit import record_event
from portal.booklet.models import VERSIONS, Booklet
from portal.booklet.questions import CURRENT_SET
from portal.booklet.services import booklet_for_review, issue_booklet_link
from portal.extensions import db
from portal.links.models import PrivateLink
from portal.links.services import revoke_links
from portal.outbox.services import mask_address, normalise_address, queue_message
from portal.reviews.models import Review
from portal.timeutil import utcnow

CHANNELS = ("email", "sms")
# What stands for the hidden part of an address shown back to staff.
BOOKLET_PURPOSE, CHILD_AUDIENCE = "booklet", "child"


class InvitationError(ValueError):
    """An invitation that cannot be sent; the message says why, for the IRO."""


def normalise_recipient(channel: str, value: str | None) -> str | None:
    return normalise_address(channel, value)


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


def _queue_link(review: Review, booklet: Booklet, channel: str, address: str) -> str:
    """A new link by email or text; links sent before keep working. Returns the message kind."""
    url, _short = issue_booklet_link(review, replace=False)
    kind = "booklet_reminder" if booklet.invited_at else "booklet_invitation"
    queue_message(channel, address, kind, {"first_name": first_name(review), "url": url}, review_id=review.id)
    if booklet.invited_at is None:
        booklet.invited_at = utcnow()
    # The audit says only how it went, never where.
    record_event("booklet_invited", "booklet", booklet.id, detail=f"{kind}:{channel}")
    return kind


def send_invitation(review: Review, channel: str, recipient: str) -> Booklet:
    """A new link queued by email or text; the caller commits.

    Links sent before keep working (the IRO stops them on purpose: `stop_child_links`). The address
    is kept on the booklet for reminders until the review is held or cancelled (`forget_contact`).
    """
    address = normalise_recipient(channel, recipient)
    if address is None:
        raise InvitationError(_l("Enter a valid email address or UK mobile number."))
    booklet = _ready_booklet(review)
    _queue_link(review, booklet, channel, address)
    booklet.contact_channel, booklet.contact_address = channel, address
    return booklet


def send_reminder(review: Review) -> Booklet:
    """A new link to the address the last invitation went to, without retyping it; the caller commits."""
    booklet = _ready_booklet(review)
    if not has_kept_contact(booklet):
        raise InvitationError(_l("There is no address kept for this booklet. Enter an email address or UK mobile "
                                 "number."))
    _queue_link(review, booklet, booklet.contact_channel, booklet.contact_address)
    return booklet


def has_kept_contact(booklet: Booklet | None) -> bool:
    return bool(booklet and booklet.contact_channel in CHANNELS and booklet.contact_address)


def contact_hint(booklet: Booklet | None) -> str | None:
    """Where the last invitation went, masked ("Text message to 07••• ••• 982"); None when nothing is kept."""
    if not has_kept_contact(booklet):
        return None
    masked = mask_address(booklet.contact_channel, booklet.contact_address)
    if booklet.contact_channel == "sms":
        return _("Text message to %(address)s", address=masked)
    return _("Email to %(address)s", address=masked)


def forget_contact(review: Review) -> None:
    """The review was held or cancelled: the address kept for reminders goes (registered with
    portal.reviews.hooks, called in the same transaction)."""
    booklet = review.booklet
    if booklet is not None and (booklet.contact_channel or booklet.contact_address):
        booklet.contact_channel = booklet.contact_address = None


def live_child_links(review: Review) -> int:
    """How many booklet links sent to the child still work."""
    return db.session.scalar(db.select(db.func.count(PrivateLink.id)).where(
        PrivateLink.review_id == review.id, PrivateLink.purpose == BOOKLET_PURPOSE,
        PrivateLink.audience == CHILD_AUDIENCE, PrivateLink.recipient_ref.is_(None),
        PrivateLink.revoked_at.is_(None), PrivateLink.expires_at > utcnow()))


def stop_child_links(review: Review) -> int:
    """A link was lost (a phone, a letter): every booklet link sent to the child stops working now.

    The address kept for reminders is forgotten too, so a lost phone is never sent a new link by a
    reminder; what the child wrote stays. Audited; returns how many links stopped. The caller commits.
    """
    stopped = revoke_links(review.id, BOOKLET_PURPOSE, CHILD_AUDIENCE)
    booklet = review.booklet
    if booklet is not None:
        booklet.contact_channel = booklet.contact_address = None
    record_event("booklet_links_stopped", "review", review.id, detail=str(stopped))
    return stopped


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
    """A new link for a printed letter, with its QR code; links sent before keep working. The caller commits."""
    booklet = _ready_booklet(review)
    url, short = issue_booklet_link(review, replace=False)
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

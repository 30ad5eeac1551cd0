"""'The letter from your review is ready': a content-free text or email to the child, with a new letter link.

Nothing about the child is in the message (the outbox's "letter_ready" wording and the link only), and the
address is used to queue the message and not kept here; the audit says which channel, never the address.
"""

from __future__ import annotations

from flask_babel import gettext

from portal.audit import record_event
from portal.letters.reading import issue_letter_link
from portal.letters.services import LetterError
from portal.outbox.services import normalise_address, queue_message
from portal.reviews.models import Review

CHANNELS = ("email", "sms")


def tell_child(review: Review, channel: str, address: str | None) -> None:
    """Queue 'your letter is ready' with a fresh letter link to `address` by `channel` ('email' or 'sms').

    Raises LetterError when the address is not a valid email address or UK mobile number for the channel.
    The caller commits (the message is sent after the commit).
    """
    normalised = normalise_address(channel, address) if channel in CHANNELS else None
    if not normalised:
        raise LetterError(gettext("Enter a valid email address or UK mobile number."))
    url = issue_letter_link(review)
    queue_message(channel, normalised, "letter_ready", {"url": url}, review_id=review.id)
    record_event("letter_ready_sent", "review", review.id, detail=channel)

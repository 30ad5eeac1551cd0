"""Asking people for feedback once a review is held: by email, by text, on a printed slip, with a QR code
on the IRO's screen, or by handing the IRO's own device to a parent or carer at the meeting.

One reminder by email or text after a set number of working days (the authority's setting), never after
the person answered and never twice; then the address is deleted. A reminder is a new link for the same
person: the link they already have keeps working. Audit events say how an invitation went, never where.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import segno
from flask_babel import lazy_gettext as _l

from portal.audit import record_event
from portal.extensions import db
from portal.feedback.models import FeedbackInvitation
from portal.links.models import PrivateLink
from portal.links.services import issue_link, link_url, short_url
from portal.outbox.services import normalise_address, queue_message
from portal.reviews.dates import add_working_days
from portal.reviews.models import Review
from portal.settings import authority_settings
from portal.timeutil import today as london_today
from portal.timeutil import utcnow

PURPOSE = "feedback"
# Whom the IRO asks (the young person answers through their own link) and the link audience for each.
AUDIENCES = {"parent_carer": "parent", "professional": "professional"}
REF_PREFIXES = {"parent_carer": "parent", "professional": "professional"}
YOUNG_PERSON_REF = "young-person"
SENT_CHANNELS = ("email", "sms")
IRO_CHANNELS = ("email", "sms", "print", "qr", "handover")
# A link for feedback keeps working this long; one handed over at the meeting only for the handover.
LINK_DAYS = 28
DESCRIPTION_LENGTH = 120


class InvitationError(ValueError):
    """An invitation that cannot be made; the message says why, for the IRO."""


@dataclass(frozen=True)
class Invited:
    invitation: FeedbackInvitation
    url: str
    short_code: str | None = None


@dataclass(frozen=True)
class Slip:
    """What a printed slip or an on-screen QR code shows."""

    url: str
    short_url: str
    code: str
    qr_svg: str


def normalise_contact(channel: str, value: str | None) -> str | None:
    return normalise_address(channel, value)


def _next_ref(review: Review, group: str) -> str:
    """"parent-1", "parent-2" …: opaque, unique within the review, never a name."""
    prefix = REF_PREFIXES[group] + "-"
    refs = db.session.scalars(db.select(FeedbackInvitation.recipient_ref).filter_by(review_id=review.id, group=group))
    numbers = [int(ref.removeprefix(prefix)) for ref in refs if ref.startswith(prefix)
               and ref.removeprefix(prefix).isdigit()]
    return f"{prefix}{max(numbers, default=0) + 1}"


def _check(review: Review, group: str, channel: str) -> None:
    if review.status != "held":
        raise InvitationError(_l("Feedback is asked for once the review is recorded as held."))
    if group not in AUDIENCES:
        raise InvitationError(_l("Choose a parent or carer, or a professional."))
    if channel not in IRO_CHANNELS:
        raise InvitationError(_l("Choose how to send it."))
    if channel == "handover" and group != "parent_carer":
        raise InvitationError(_l("Only the parent or carer form is handed over at the meeting."))


def _issue(review: Review, group: str, ref: str, *, short: bool, expires_at: datetime) -> tuple[PrivateLink, str,
                                                                                                  str | None]:
    return issue_link(purpose=PURPOSE, audience=AUDIENCES[group], expires_at=expires_at, review_id=review.id,
                      recipient_ref=ref, with_short_code=short)


def invite(review: Review, group: str, channel: str, contact: str | None = None, description: str | None = None,
           *, expires_at: datetime | None = None) -> Invited:
    """Ask one parent, carer or professional for feedback on a held review; the caller commits.

    Email and text queue the message now (the outbox sends it after the commit) and set the reminder
    day; print and qr make a short code too; handover has no contact and no reminder.
    """
    _check(review, group, channel)
    address = None
    if channel in SENT_CHANNELS:
        address = normalise_contact(channel, contact)
        if address is None:
            raise InvitationError(_l("Enter an email address like name@example.org") if channel == "email"
                                  else _l("Enter a UK mobile number, like 07700 900 982"))
    description = (description or "").strip()[:DESCRIPTION_LENGTH] or None
    ref = _next_ref(review, group)
    link, token, code = _issue(review, group, ref, short=channel in ("print", "qr"),
                               expires_at=expires_at or utcnow() + timedelta(days=LINK_DAYS))
    url = link_url(token)
    invitation = FeedbackInvitation(review_id=review.id, group=group, recipient_ref=ref, link_id=link.id,
                                    channel=channel, description=description, contact=address, sent_at=utcnow())
    if address is not None:
        invitation.remind_on = add_working_days(london_today(), authority_settings().feedback_reminder_working_days)
        queue_message(channel, address, "feedback_invitation", {"url": url}, review_id=review.id)
    db.session.add(invitation)
    db.session.flush()
    # How it went, never where to.
    record_event("feedback_invited", "review", review.id, detail=f"{group}:{channel}")
    return Invited(invitation=invitation, url=url, short_code=code)


def format_code(code: str) -> str:
    """ABCDE FGHJK: easier to copy from paper."""
    return " ".join(code[i:i + 5] for i in range(0, len(code), 5))


def make_slip(invited: Invited) -> Slip:
    """The short address, the code and a QR code of the short address (it scans better), as inline SVG."""
    if invited.short_code is None:
        raise InvitationError(_l("This invitation has no short code."))
    short = short_url(invited.short_code)
    qr = segno.make(short, error="m").svg_inline(scale=1, border=4, svgclass="portal-qr", omitsize=True)
    label = str(_l("QR code: scan it with a phone camera to open the feedback form"))
    qr = qr.replace("<svg ", f'<svg role="img" aria-label="{label}" ', 1)
    return Slip(url=invited.url, short_url=short, code=format_code(invited.short_code), qr_svg=qr)


def start_handover(review: Review, minutes: int | None = None) -> Invited:
    """A parent's link for the form handed over on the IRO's device: it works only for the handover."""
    minutes = minutes or authority_settings().handover_minutes
    return invite(review, "parent_carer", "handover", expires_at=utcnow() + timedelta(minutes=minutes))


# --- Reminders and forgetting ------------------------------------------------------------------

def send_due_reminders(today: date | None = None) -> int:
    """One reminder to each person asked by email or text whose reminder day has come, who has not
    answered and was not reminded: a new link (the first keeps working), then the address is deleted.
    Returns how many were sent; commits."""
    on = today or london_today()
    due = db.session.scalars(db.select(FeedbackInvitation).where(
        FeedbackInvitation.remind_on <= on, FeedbackInvitation.reminded_at.is_(None),
        FeedbackInvitation.returned.is_(False), FeedbackInvitation.contact.is_not(None),
        FeedbackInvitation.channel.in_(SENT_CHANNELS)).with_for_update(skip_locked=True)).all()
    for invitation in due:
        link, token, _code = _issue(invitation.review, invitation.group, invitation.recipient_ref, short=False,
                                    expires_at=utcnow() + timedelta(days=LINK_DAYS))
        queue_message(invitation.channel, invitation.contact, "feedback_reminder", {"url": link_url(token)},
                      review_id=invitation.review_id)
        invitation.link_id = link.id
        invitation.reminded_at = utcnow()
        _forget(invitation)
        record_event("feedback_reminded", "review", invitation.review_id,
                     detail=f"{invitation.group}:{invitation.channel}")
    db.session.commit()
    return len(due)


def _forget(invitation: FeedbackInvitation) -> None:
    invitation.contact = None
    invitation.description = None
    invitation.contact_deleted_at = utcnow()


def forget_closed_contacts(today: date | None = None) -> int:
    """Delete the address and description of every invitation whose reminder window has closed (reminded,
    answered, or its reminder day passed). Returns how many; commits."""
    on = today or london_today()
    closed = db.session.scalars(db.select(FeedbackInvitation).where(
        FeedbackInvitation.contact_deleted_at.is_(None),
        db.or_(FeedbackInvitation.contact.is_not(None), FeedbackInvitation.description.is_not(None)),
        db.or_(FeedbackInvitation.reminded_at.is_not(None), FeedbackInvitation.returned.is_(True),
               FeedbackInvitation.remind_on < on,
               db.and_(FeedbackInvitation.remind_on.is_(None),
                       FeedbackInvitation.sent_at < utcnow() - timedelta(days=LINK_DAYS))))).all()
    for invitation in closed:
        _forget(invitation)
    db.session.commit()
    return len(closed)


def daily_feedback_job() -> None:
    """The daily job: reminders first (they need the addresses), then forgetting."""
    send_due_reminders()
    forget_closed_contacts()


# --- What the IRO sees ---------------------------------------------------------------------------

def invitations_for(review: Review) -> list[FeedbackInvitation]:
    return list(db.session.scalars(db.select(FeedbackInvitation).filter_by(review_id=review.id)
                                   .order_by(FeedbackInvitation.group, FeedbackInvitation.id)))


def invitation_counts(review: Review) -> dict[str, tuple[int, int]]:
    """Per group: (asked, returned), the young person's own-link invitation included."""
    counts = {group: (0, 0) for group in ("young_person", *AUDIENCES)}
    rows = db.session.execute(db.select(FeedbackInvitation.group, db.func.count(FeedbackInvitation.id),
                                        db.func.sum(db.case((FeedbackInvitation.returned.is_(True), 1), else_=0)))
                              .where(FeedbackInvitation.review_id == review.id).group_by(FeedbackInvitation.group))
    for group, asked, returned in rows:
        counts[group] = (int(asked), int(returned or 0))
    return counts


def young_person_invitation(review: Review) -> FeedbackInvitation | None:
    return db.session.scalar(db.select(FeedbackInvitation).filter_by(review_id=review.id, group="young_person")
                             .limit(1))

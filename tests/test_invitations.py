"""Inviting a child: email or text with first name and link only, the printed letter, the late flag."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest

from portal.audit.models import AuditEvent
from portal.booklet.invitations import InvitationError, change_version, send_invitation
from portal.booklet.models import Booklet
from portal.booklet.services import booklet_for_review
from portal.booklet.status import invitation_is_late, invite_by_date
from portal.extensions import db
from portal.links.models import PrivateLink
from portal.outbox.models import OutboxMessage
from portal.outbox.services import normalise_email, normalise_uk_mobile, render_text
from portal.reviews.services import add_working_days
from portal.timeutil import LONDON, today
from tests import factories as f


@pytest.mark.parametrize("raw, expected", [
    ("07700 900982", "+447700900982"),
    ("07700-900-982", "+447700900982"),
    ("+44 7700 900982", "+447700900982"),
    ("+44 (0)7700 900982", "+447700900982"),
    ("0044 7700 900982", "+447700900982"),
    ("01632 960001", None),       # a landline
    ("0770090098", None),         # too short
    ("+33 6 12 34 56 78", None),  # not a UK number
    ("", None),
])
def test_uk_mobile_numbers(raw, expected):
    assert normalise_uk_mobile(raw) == expected


def test_email_addresses():
    assert normalise_email(" leo@example.org ") == "leo@example.org"
    assert normalise_email("leo@example") is None
    assert normalise_email("not an email") is None


def _review(days_ahead=30, **child_fields):
    iro = f.staff("iro")
    child = f.child(iro, age=child_fields.pop("age", 13), preferred_name=child_fields.pop("preferred_name", "Leo"),
                    first_name="Leonardo", case_reference="CASE-12345", **child_fields)
    return iro, f.review(child, days_ahead=days_ahead, place="Oak House, 12 Elm Road")


def test_invitation_holds_first_name_and_link_only(app):
    _, review = _review()
    booklet = send_invitation(review, "sms", "07700 900982")
    db.session.commit()
    message = db.session.scalar(db.select(OutboxMessage))
    assert message.recipient == "+447700900982" and message.template == "booklet_invitation"
    assert set(message.personalisation) == {"first_name", "url"}
    assert message.personalisation["first_name"] == "Leo"
    stored = str(message.personalisation) + render_text(message)
    for detail in ("Leonardo", "CASE-12345", "Oak House", "Elm Road", str(review.child.date_of_birth.year)):
        assert detail not in stored
    assert booklet.invited_at is not None
    event = db.session.scalar(db.select(AuditEvent).filter_by(action="booklet_invited"))
    assert event.record_id == booklet.id and "07700" not in event.detail and "+44" not in event.detail


def test_a_new_invitation_leaves_earlier_links_working_and_is_a_reminder(app):
    _, review = _review()
    send_invitation(review, "email", "leo@example.org")
    first_sent = db.session.scalar(db.select(Booklet.invited_at))
    send_invitation(review, "email", "leo@example.org")
    db.session.commit()
    links = db.session.scalars(db.select(PrivateLink).filter_by(review_id=review.id, purpose="booklet")
                               .order_by(PrivateLink.id)).all()
    # A link the child already has keeps working until the IRO stops it on purpose.
    assert len(links) == 2 and all(link.revoked_at is None for link in links)
    kinds = db.session.scalars(db.select(OutboxMessage.template).order_by(OutboxMessage.id)).all()
    assert kinds == ["booklet_invitation", "booklet_reminder"]
    # The first invitation's date is the one that counts for timeliness.
    assert db.session.scalar(db.select(Booklet.invited_at)) == first_sent


def test_invalid_recipient_and_under_four_are_refused(app):
    _, review = _review()
    with pytest.raises(InvitationError):
        send_invitation(review, "sms", "01632 960001")
    _, baby_review = _review(age=2)
    with pytest.raises(InvitationError):
        send_invitation(baby_review, "email", "carer@example.org")


def test_late_flag(app):
    f.authority()
    # A meeting 5 working days away: the invite-by date (10 working days before) has passed.
    meeting = datetime.combine(add_working_days(today(), 5), time(10), tzinfo=LONDON)
    iro = f.staff("iro")
    child = f.child(iro, age=12)
    soon = f.review(child, meeting_at=meeting)
    assert invite_by_date(soon) < today()
    assert invitation_is_late(soon) is True
    send_invitation(soon, "email", "leo@example.org")
    assert invitation_is_late(soon) is True

    far = f.review(f.child(iro, age=12), days_ahead=60)
    assert invitation_is_late(far) is False
    booklet = send_invitation(far, "email", "leo@example.org")
    assert invitation_is_late(far, booklet) is False
    # Sent a day after the invite-by date is late.
    booklet.invited_at = datetime.combine(invite_by_date(far) + timedelta(days=1), time(12), tzinfo=LONDON)
    assert invitation_is_late(far, booklet) is True
    booklet.invited_at = datetime.combine(invite_by_date(far), time(16), tzinfo=LONDON)
    assert invitation_is_late(far, booklet) is False


def test_version_changes_only_before_the_child_starts(app):
    _, review = _review(age=9)
    booklet = booklet_for_review(review)
    assert booklet.version == "4-11"
    change_version(review, "12-17")
    assert booklet.version == "12-17" and booklet.question_set == "12-17/1" and booklet.version_chosen_by == "iro"
    booklet.started_at = booklet.created_at
    with pytest.raises(InvitationError):
        change_version(review, "4-7")


# --- through the pages --------------------------------------------------------------------------


def test_iro_sends_an_invitation_from_the_page(app, client):
    iro, review = _review()
    db.session.commit()
    f.sign_in(client, iro)
    token = f.csrf_token(client, f"/reviews/{review.id}/booklet/send")

    bad = client.post(f"/reviews/{review.id}/booklet/send",
                      data={"csrf_token": token, "channel": "sms", "recipient": "01632 960001"})
    assert bad.status_code == 400 and "Enter a UK mobile number" in bad.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(OutboxMessage.id))) == 0

    ok = client.post(f"/reviews/{review.id}/booklet/send",
                     data={"csrf_token": token, "channel": "sms", "recipient": "07700 900982"})
    assert ok.status_code == 303
    assert db.session.scalar(db.select(OutboxMessage.recipient)) == "+447700900982"
    assert db.session.scalar(db.select(Booklet.invited_at)) is not None


def test_letter_has_qr_svg_short_link_and_makes_a_fresh_link_only_on_post(app, client):
    iro, review = _review()
    db.session.commit()
    f.sign_in(client, iro)
    page = client.get(f"/reviews/{review.id}/booklet/invitation-letter")
    assert page.status_code == 200 and "<svg" not in page.get_data(as_text=True)
    assert "Make the letter" in page.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(PrivateLink.id))) == 0

    token = f.csrf_token(client, f"/reviews/{review.id}/booklet/invitation-letter")
    letter = client.post(f"/reviews/{review.id}/booklet/invitation-letter", data={"csrf_token": token})
    html = letter.get_data(as_text=True)
    assert letter.status_code == 200 and letter.headers["Cache-Control"] == "no-store"
    assert "<svg" in html and 'role="img"' in html and "Hi <bdi>Leo</bdi>" in html
    assert "http://localhost/s/" in html
    assert db.session.scalar(db.select(db.func.count(PrivateLink.id))) == 1
    assert db.session.scalar(db.select(AuditEvent).filter_by(action="invitation_letter_made")) is not None


def test_another_iro_cannot_invite(app, client):
    _, review = _review()
    other = f.staff("iro")
    db.session.commit()
    f.sign_in(client, other)
    assert client.get(f"/reviews/{review.id}/booklet/invitation-letter").status_code == 404
    assert client.get(f"/reviews/{review.id}/booklet/send").status_code == 404

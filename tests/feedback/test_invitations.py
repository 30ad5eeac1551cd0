"""The IRO asks for feedback on a held review: by email, by text, on a printed slip, with a QR code."""

from __future__ import annotations

import html
import re

import pytest
import zxingcpp
from PIL import Image

from portal.audit.models import AuditEvent
from portal.extensions import db
from portal.feedback.invitations import InvitationError, invitation_counts, invite
from portal.feedback.models import FeedbackInvitation
from portal.links.models import PrivateLink
from portal.links.services import find_usable_short_code
from portal.outbox.models import OutboxMessage
from portal.reviews.dates import add_working_days
from portal.timeutil import today
from tests import factories as f


def _held_review(**fields):
    iro = f.staff("iro")
    child = f.child(iro, age=13, preferred_name="Leo")
    return iro, f.review(child, days_ahead=-2, status="held", **fields)


def _signed_in(client, user):
    db.session.commit()
    f.sign_in(client, user)
    return client


def _post(client, review, **data):
    path = f"/reviews/{review.id}/feedback"
    return client.post(path, data={"csrf_token": f.csrf_token(client, path), **data})


def _qr_text(svg: str) -> list[str]:
    """Decode segno's inline SVG as printed: rebuild its modules from the path, then read it with zxing-cpp."""
    size = int(re.search(r'viewBox="0 0 (\d+) \d+"', svg).group(1))
    path = re.search(r' d="([^"]+)"', svg).group(1)
    image = Image.new("L", (size * 8, size * 8), 255)
    x = y = 0.0
    for command, a, b in re.findall(r"([MmHh])(-?[\d.]+)(?:[ ,](-?[\d.]+))?", path):
        if command in "Mm":
            x, y = (float(a), float(b)) if command == "M" else (x + float(a), y + float(b))
        else:
            length = float(a)
            for column in range(int(x), int(x + length)):
                image.paste(0, (column * 8, int(y) * 8, column * 8 + 8, int(y) * 8 + 8))
            x += length
    return [result.text for result in zxingcpp.read_barcodes(image)]


def test_the_iro_invites_a_parent_by_email_and_by_text(app, client):
    iro, review = _held_review()
    _signed_in(client, iro)
    page = client.get(f"/reviews/{review.id}/feedback").get_data(as_text=True)
    assert "Hand to parent or carer" in page and "their own link" in page
    by_email = _post(client, review, group="parent_carer", description="Mum", channel="email",
                     contact=" mum@example.org ")
    assert by_email.status_code == 303
    by_text = _post(client, review, group="parent_carer", description="Foster carer", channel="sms",
                    contact="07700 900982")
    assert by_text.status_code == 303
    messages = db.session.scalars(db.select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert [(m.recipient, m.template) for m in messages] == [("mum@example.org", "feedback_invitation"),
                                                             ("+447700900982", "feedback_invitation")]
    assert all(set(m.personalisation) == {"url"} and "/l/" in m.personalisation["url"] for m in messages)
    invitations = db.session.scalars(db.select(FeedbackInvitation).order_by(FeedbackInvitation.id)).all()
    assert [i.recipient_ref for i in invitations] == ["parent-1", "parent-2"]
    working_days = 5
    assert all(i.remind_on == add_working_days(today(), working_days) for i in invitations)
    links = db.session.scalars(db.select(PrivateLink).filter_by(purpose="feedback")).all()
    assert {(link.audience, link.recipient_ref) for link in links} == {("parent", "parent-1"), ("parent", "parent-2")}
    # The audit says how, never where to.
    events = db.session.scalars(db.select(AuditEvent).filter_by(action="feedback_invited")).all()
    assert [e.detail for e in events] == ["parent_carer:email", "parent_carer:sms"]
    for event in events:
        assert "example.org" not in event.detail and "7700" not in event.detail
    listing = client.get(f"/reviews/{review.id}/feedback").get_data(as_text=True)
    assert "m•••@example.org" in listing and "07••• ••• 982" in listing and "mum@example.org" not in listing
    assert invitation_counts(review)["parent_carer"] == (2, 0)


def test_a_professional_by_a_printed_slip_whose_qr_code_scans_to_the_short_link(app, client):
    iro, review = _held_review()
    _signed_in(client, iro)
    response = _post(client, review, group="professional", description="School nurse", channel="print", contact="")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    short = re.search(r"http://localhost/s/([A-Z0-9]{10})", page)
    assert short is not None
    svg = re.search(r"<svg.*?</svg>", page, re.S).group(0)
    assert _qr_text(html.unescape(svg)) == [short.group(0)]
    link = find_usable_short_code(short.group(1))
    assert (link.purpose, link.audience, link.recipient_ref) == ("feedback", "professional", "professional-1")
    invitation = db.session.scalar(db.select(FeedbackInvitation))
    assert invitation.channel == "print" and invitation.remind_on is None and invitation.contact is None
    assert db.session.scalar(db.select(db.func.count(OutboxMessage.id))) == 0


def test_a_qr_code_on_screen_for_the_parents_own_phone(app, client):
    iro, review = _held_review()
    _signed_in(client, iro)
    page = _post(client, review, group="parent_carer", channel="qr").get_data(as_text=True)
    assert "Scan this with your phone camera" in page
    short = re.search(r"http://localhost/s/[A-Z0-9]{10}", page).group(0)
    assert _qr_text(html.unescape(re.search(r"<svg.*?</svg>", page, re.S).group(0))) == [short]


def test_another_iro_gets_404_and_a_manager_sees_it(app, client):
    _iro, review = _held_review()
    other = f.staff("iro")
    _signed_in(client, other)
    assert client.get(f"/reviews/{review.id}/feedback").status_code == 404
    token = f.csrf_token(client, "/outbox")
    refused = client.post(f"/reviews/{review.id}/feedback", data={"csrf_token": token, "group": "parent_carer",
                                                                 "channel": "email", "contact": "a@example.org"})
    assert refused.status_code == 404
    assert client.post(f"/reviews/{review.id}/feedback/handover",
                       data={"csrf_token": token}).status_code == 404
    assert db.session.scalar(db.select(db.func.count(FeedbackInvitation.id))) == 0


def test_a_planned_review_refuses(app, client):
    iro = f.staff("iro")
    review = f.review(f.child(iro), days_ahead=10)
    with pytest.raises(InvitationError):
        invite(review, "parent_carer", "email", "mum@example.org")
    _signed_in(client, iro)
    response = _post(client, review, group="parent_carer", channel="email", contact="mum@example.org")
    assert response.status_code == 400
    assert "once the review is recorded as held" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(FeedbackInvitation.id))) == 0


def test_a_bad_email_or_phone_is_refused_keeping_the_text(app, client):
    iro, review = _held_review()
    _signed_in(client, iro)
    bad_email = _post(client, review, group="parent_carer", description="Dad", channel="email", contact="dad@example")
    page = bad_email.get_data(as_text=True)
    assert bad_email.status_code == 400 and "Enter an email address like name@example.org" in page
    assert 'value="dad@example"' in page and 'value="Dad"' in page
    bad_phone = _post(client, review, group="professional", channel="sms", contact="01632 960001")
    page = bad_phone.get_data(as_text=True)
    assert bad_phone.status_code == 400 and "Enter a UK mobile number" in page and 'value="01632 960001"' in page
    nothing = _post(client, review, channel="email", contact="x@example.org")
    assert "Choose a parent or carer, or a professional" in nothing.get_data(as_text=True)
    with pytest.raises(InvitationError):
        invite(review, "parent_carer", "sms", "+33 6 12 34 56 78")
    assert db.session.scalar(db.select(db.func.count(FeedbackInvitation.id))) == 0
    assert db.session.scalar(db.select(db.func.count(OutboxMessage.id))) == 0


def test_a_held_review_on_the_childs_page_leads_to_feedback(app, client):
    iro, review = _held_review()
    _signed_in(client, iro)
    page = client.get(f"/children/{review.child_id}").get_data(as_text=True)
    assert f'href="/reviews/{review.id}/feedback"' in page

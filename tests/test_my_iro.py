"""My IRO: the child's page about their IRO, sending them a message, and the help box."""

from __future__ import annotations

import re

from portal.audit.models import AuditEvent
from portal.extensions import db
from portal.safeguarding.models import ChildMessage, UrgentConcern
from portal.staff.services import authority_settings
from tests import factories
from tests.test_voice import start_booklet

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _child_of(iro, **fields):
    return factories.review(factories.child(iro, **fields))


def message_form(client) -> dict:
    """The hidden fields of the message form, as the page gave them."""
    page = client.get("/my-iro/message").get_data(as_text=True)
    return {name: re.search(rf'name="{name}" value="([^"]+)"', page).group(1) for name in ("csrf_token", "submission")}


def _send(client, body: str):
    return client.post("/my-iro/message", data={**message_form(client), "body": body})


def test_my_iro_page_says_who_they_are_and_how_to_reach_them(app, client):
    iro = factories.staff("iro", name="Priya Shah", phone="020 7946 0123", email="priya.shah@example.org")
    review = _child_of(iro)
    settings = authority_settings()
    settings.advocacy_phone = "0800 123 4567"
    settings.complaints_url = "https://example.org/complaints"
    db.session.commit()
    start_booklet(client, review)

    response = client.get("/my-iro")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Priya Shah" in page
    assert 'href="tel:02079460123"' in page
    assert 'href="mailto:priya.shah@example.org"' in page
    assert "What does an IRO do?" in page
    assert "They are not your social worker" in page
    assert 'href="tel:08001234567"' in page  # someone to help you say what you want
    assert 'href="https://example.org/complaints"' in page
    assert 'href="/my-iro/message"' in page
    # No photo uploaded: no broken picture.
    assert "/my-iro/photo" not in page
    assert client.get("/my-iro/photo").status_code == 404


def test_without_a_complaints_page_the_service_phone_is_given(app, client):
    iro = factories.staff("iro")
    review = _child_of(iro)
    db.session.commit()
    start_booklet(client, review)
    page = client.get("/my-iro").get_data(as_text=True)
    assert "To complain, call" in page and 'href="tel:01000000000"' in page


def test_the_iro_photo_is_shown_to_their_child_only(app, client):
    iro = factories.staff("iro", name="Priya Shah", photo=PNG, photo_type="image/png")
    review = _child_of(iro)
    db.session.commit()
    start_booklet(client, review)

    page = client.get("/my-iro").get_data(as_text=True)
    assert 'src="/my-iro/photo"' in page and 'alt="Photo of Priya Shah"' in page
    photo = client.get("/my-iro/photo")
    assert photo.status_code == 200 and photo.data == PNG and photo.mimetype == "image/png"
    assert photo.headers["X-Content-Type-Options"] == "nosniff"
    assert app.test_client().get("/my-iro/photo").status_code == 401


def test_a_picture_of_a_type_that_could_run_script_is_not_served(app, client):
    iro = factories.staff("iro", photo=b"<svg onload='alert(1)'/>", photo_type="image/svg+xml")
    review = _child_of(iro)
    db.session.commit()
    start_booklet(client, review)
    assert client.get("/my-iro/photo").status_code == 404
    assert "/my-iro/photo" not in client.get("/my-iro").get_data(as_text=True)


def test_help_box_on_the_pages_with_999_childline_and_the_iro(app, client):
    iro = factories.staff("iro", name="Priya Shah", phone="020 7946 0123")
    review = _child_of(iro)
    db.session.commit()
    start_booklet(client, review)

    for path in ("/my-iro", "/my-iro/message"):
        page = client.get(path).get_data(as_text=True)
        box = re.search(r'<details class="govuk-details portal-help".*?</details>', page, re.S).group(0)
        assert "I need to talk to someone now" in box
        assert 'href="tel:999"' in box and ">999</a>" in box
        assert 'href="tel:08001111"' in box and ">0800 1111</a>" in box
        assert "Priya Shah" in box and 'href="tel:02079460123"' in box


def test_message_page_says_who_reads_it_and_that_it_is_not_for_emergencies(app, client):
    iro = factories.staff("iro")
    review = _child_of(iro)
    db.session.commit()
    start_booklet(client, review)
    page = client.get("/my-iro/message").get_data(as_text=True)
    assert "Your IRO will read this." in page
    assert "They cannot keep that secret." in page
    assert "This is not for emergencies" in page
    assert 'data-module="govuk-character-count"' in page and 'data-maxlength="2000"' in page


def test_a_message_is_kept_for_the_iro_and_audited(app, client):
    iro = factories.staff("iro", name="Priya Shah")
    review = _child_of(iro)
    db.session.commit()
    start_booklet(client, review)

    response = _send(client, "  Can we talk about my bike at the meeting?  ")
    assert response.status_code == 303 and response.headers["Location"] == "/my-iro/message/sent"
    message = db.session.scalar(db.select(ChildMessage))
    assert message.review_id == review.id
    assert message.body == "Can we talk about my bike at the meeting?"
    assert message.urgent is False
    event = db.session.scalar(db.select(AuditEvent).filter_by(action="create", record_type="child_message"))
    assert event is not None and event.record_id == message.id and event.actor_kind == "child"
    assert "bike" not in event.detail

    thanks = client.get("/my-iro/message/sent").get_data(as_text=True)
    assert "Your message is sent" in thanks and "Priya Shah" in thanks
    # Reloading the thank-you page does not pretend to send again.
    assert client.get("/my-iro/message/sent").status_code == 303


def test_a_worrying_message_is_marked_urgent_and_the_child_is_shown_help(app, client):
    iro = factories.staff("iro")
    review = _child_of(iro)
    factories.screening_entry("hurt me")
    db.session.commit()
    start_booklet(client, review)

    _send(client, "My carer's boyfriend hurt me last night")
    message = db.session.scalar(db.select(ChildMessage))
    assert message.urgent is True
    concern = db.session.scalar(db.select(UrgentConcern))
    assert concern is not None and (concern.source_kind, concern.source_id) == ("child_message", message.id)

    thanks = client.get("/my-iro/message/sent").get_data(as_text=True)
    assert "has been told straight away" in thanks
    assert '<details class="govuk-details portal-help" open>' in thanks


def test_an_over_long_message_is_kept_on_screen_with_the_limit(app, client):
    iro = factories.staff("iro")
    review = _child_of(iro)
    db.session.commit()
    start_booklet(client, review)

    long_text = "I want to say " + "a lot " * 400
    response = _send(client, long_text)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "2,000 characters or fewer" in page
    assert "There is a problem" in page
    assert long_text.strip() in page
    assert db.session.scalar(db.select(db.func.count()).select_from(ChildMessage)) == 0


def test_an_empty_message_is_not_sent(app, client):
    iro = factories.staff("iro")
    review = _child_of(iro)
    db.session.commit()
    start_booklet(client, review)
    response = _send(client, "   ")
    assert response.status_code == 400
    assert "Write your message" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(ChildMessage)) == 0


def test_messages_still_reach_the_iro_after_the_meeting(app, client):
    iro = factories.staff("iro")
    review = _child_of(iro)
    db.session.commit()
    start_booklet(client, review)
    review.status = "held"
    db.session.commit()

    assert _send(client, "Thank you for listening").status_code == 303
    assert db.session.scalar(db.select(ChildMessage)).review_id == review.id


def test_without_a_started_link_the_pages_are_locked(app, client):
    factories.authority()
    db.session.commit()
    assert client.get("/my-iro").status_code == 401
    assert client.get("/my-iro/message").status_code == 401

"""A reminder never kills the link the child already has, and needs no retyping.

A child's booklet links keep working until the IRO stops them on purpose (a lost phone or letter:
"This link was lost: stop it working", confirmed, audited). The invitation keeps its channel and
address for reminders only while the review is planned, and shows it back only masked. Every form
on these pages is posted here.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from portal.audit.models import AuditEvent
from portal.booklet.invitations import contact_hint, send_invitation
from portal.booklet.models import Booklet
from portal.extensions import db
from portal.links.models import PrivateLink
from portal.outbox.models import OutboxMessage
from portal.outbox.services import mask_address
from portal.timeutil import today
from tests import factories as f

MOBILE, MOBILE_STORED = "07700 900982", "+447700900982"
MOBILE_HINT = "Text message to 07\u2022\u2022\u2022 \u2022\u2022\u2022 982"
EMAIL, EMAIL_HINT = "sam.smith@example.org", "Email to s\u2022\u2022\u2022@example.org"
# Any of these on a staff page would be the address in full (or enough of it).
MOBILE_IN_FULL = ("+447700900982", "447700900982", "07700 900982", "07700900982", "7700900982", "900982", "900 982")
EMAIL_IN_FULL = ("sam.smith", "sam.smith@example.org", "am.smith")


def _path(url: str) -> str:
    return url.removeprefix("http://localhost")


def _review(days_ahead: int = 30):
    iro = f.staff("iro")
    review = f.review(f.child(iro, age=13, preferred_name="Sam"), days_ahead=days_ahead)
    db.session.commit()
    return iro, review


def _post(client, form_page: str, action: str, data: dict | None = None):
    """Post a form as the browser would: with the token from the page the form is on."""
    return client.post(action, data={"csrf_token": f.csrf_token(client, form_page), **(data or {})})


def _messages() -> list[OutboxMessage]:
    return db.session.scalars(db.select(OutboxMessage).order_by(OutboxMessage.id)).all()


def _opens(client, url: str) -> bool:
    """The link's page opens (a dead link, whatever the reason, is one 404)."""
    status = client.get(_path(url)).status_code
    assert status in (200, 404), status
    return status == 200


def _booklet(review) -> Booklet:
    db.session.expire_all()
    return db.session.scalar(db.select(Booklet).filter_by(review_id=review.id))


def _events(action: str) -> list[AuditEvent]:
    return db.session.scalars(db.select(AuditEvent).filter_by(action=action).order_by(AuditEvent.id)).all()


def test_addresses_are_masked():
    assert mask_address("sms", MOBILE_STORED) == "07\u2022\u2022\u2022 \u2022\u2022\u2022 982"
    assert mask_address("email", EMAIL) == "s\u2022\u2022\u2022@example.org"
    assert mask_address("email", "a@example.org") == "a\u2022\u2022\u2022@example.org"


def test_a_reminder_leaves_the_first_link_working_and_goes_to_the_same_address(app, client):
    iro, review = _review()
    f.sign_in(client, iro)
    send_page = f"/reviews/{review.id}/booklet/send"
    first = _post(client, send_page, send_page, {"channel": "sms", "recipient": MOBILE})
    assert first.status_code == 303
    assert "Links sent before still work" in client.get(first.headers["Location"]).get_data(as_text=True)
    [invitation] = _messages()
    first_url = invitation.personalisation["url"]

    # The child opens the first link and starts.
    phone = app.test_client()
    assert _opens(phone, first_url)
    start = phone.post(_path(first_url), data={"csrf_token": f.csrf_token(phone, _path(first_url))})
    assert start.status_code == 303

    page = client.get(send_page).get_data(as_text=True)
    assert "Send a reminder to the same address" in page and MOBILE_HINT in page
    # One click: nothing to retype. Posted exactly as the page's reminder form posts.
    token = re.search(r'name="reminder-csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    reminded = client.post(f"/reviews/{review.id}/booklet/remind",
                           data={"reminder-csrf_token": token, "reminder-submit": "y"})
    assert reminded.status_code == 303 and reminded.headers["Location"] == f"/reviews/{review.id}/booklet"
    flashed = client.get(reminded.headers["Location"]).get_data(as_text=True)
    assert f"Reminder queued: {MOBILE_HINT}." in flashed

    invitation, reminder = _messages()
    assert (reminder.channel, reminder.recipient, reminder.template) == ("sms", MOBILE_STORED, "booklet_reminder")
    second_url = reminder.personalisation["url"]
    assert second_url != first_url
    # Both work: the child carries on with the first; the reminder's link works too.
    assert _opens(app.test_client(), first_url) and _opens(app.test_client(), second_url)
    assert phone.get("/booklet").status_code == 200
    links = db.session.scalars(db.select(PrivateLink).filter_by(review_id=review.id, purpose="booklet")).all()
    assert len(links) == 2 and all(link.revoked_at is None for link in links)
    # The audit says how it went, never where.
    assert [event.detail for event in _events("booklet_invited")] == ["booklet_invitation:sms", "booklet_reminder:sms"]
    assert all("7700" not in event.detail for event in _events("booklet_invited"))


def test_the_reminder_button_on_the_childs_page_posts_too(app, client):
    iro, review = _review()
    send_invitation(review, "email", EMAIL)
    db.session.commit()
    f.sign_in(client, iro)
    child_page = f"/children/{review.child_id}"
    page = client.get(child_page).get_data(as_text=True)
    assert EMAIL_HINT in page and f'action="/reviews/{review.id}/booklet/remind"' in page
    response = _post(client, child_page, f"/reviews/{review.id}/booklet/remind")
    assert response.status_code == 303
    assert [(m.recipient, m.template) for m in _messages()] == [(EMAIL, "booklet_invitation"),
                                                                (EMAIL, "booklet_reminder")]


def test_a_new_address_can_still_be_given_and_replaces_the_kept_one(app, client):
    iro, review = _review()
    send_invitation(review, "email", EMAIL)
    db.session.commit()
    f.sign_in(client, iro)
    send_page = f"/reviews/{review.id}/booklet/send"
    page = client.get(send_page).get_data(as_text=True)
    assert "Or send to a new address" in page and 'name="recipient"' in page
    # The new-address field is empty: the kept address is never put back into a page.
    assert EMAIL not in page
    bad = _post(client, send_page, send_page, {"channel": "sms", "recipient": "01632 960001"})
    assert bad.status_code == 400 and "Enter a UK mobile number" in bad.get_data(as_text=True)
    assert contact_hint(_booklet(review)) == EMAIL_HINT
    response = _post(client, send_page, send_page, {"channel": "sms", "recipient": MOBILE})
    assert response.status_code == 303
    booklet = _booklet(review)
    assert (booklet.contact_channel, booklet.contact_address) == ("sms", MOBILE_STORED)
    assert MOBILE_HINT in client.get(send_page).get_data(as_text=True)
    first, second = _messages()
    assert (first.recipient, second.recipient) == (EMAIL, MOBILE_STORED)
    assert _opens(app.test_client(), first.personalisation["url"])


def test_a_printed_letter_leaves_earlier_links_working(app, client):
    iro, review = _review()
    send_invitation(review, "email", EMAIL)
    db.session.commit()
    sent_url = _messages()[0].personalisation["url"]
    f.sign_in(client, iro)
    letter_page = f"/reviews/{review.id}/booklet/invitation-letter"
    assert "keep working until you stop them" in client.get(letter_page).get_data(as_text=True)
    letter = _post(client, letter_page, letter_page).get_data(as_text=True)
    short = re.search(r"http://localhost/s/[A-Z0-9]+", letter).group(0)
    assert _opens(app.test_client(), sent_url)
    assert app.test_client().get(_path(short)).status_code in (200, 302, 303)
    assert db.session.scalar(db.select(db.func.count(PrivateLink.id)).filter_by(revoked_at=None)) == 2


def test_the_iro_stops_every_earlier_link_on_purpose(app, client):
    iro, review = _review()
    send_invitation(review, "sms", MOBILE)
    send_invitation(review, "sms", MOBILE)
    _parent_link, parent_token = f.link(review, audience="parent", recipient_ref="p1")
    db.session.commit()
    urls = [message.personalisation["url"] for message in _messages()]
    f.sign_in(client, iro)
    letter_page = f"/reviews/{review.id}/booklet/invitation-letter"
    letter = _post(client, letter_page, letter_page).get_data(as_text=True)
    short = _path(re.search(r"http://localhost/s/[A-Z0-9]+", letter).group(0))
    phone = app.test_client()
    phone.post(_path(urls[0]), data={"csrf_token": f.csrf_token(phone, _path(urls[0]))})
    assert phone.get("/booklet").status_code == 200

    booklet_page = f"/reviews/{review.id}/booklet"
    page = client.get(booklet_page).get_data(as_text=True)
    assert "3 booklet links sent to this child still work." in page
    assert "This link was lost: stop it working" in page
    stop_page = f"/reviews/{review.id}/booklet/stop-links"
    assert f'href="{stop_page}"' in page
    # Looking at the confirmation stops nothing.
    confirm = client.get(stop_page)
    text = confirm.get_data(as_text=True)
    assert confirm.status_code == 200 and "Stop the links working" in text and "cannot be undone" in text
    assert all(_opens(app.test_client(), url) for url in urls)

    response = _post(client, stop_page, stop_page)
    assert response.status_code == 303 and response.headers["Location"] == booklet_page
    after = client.get(booklet_page).get_data(as_text=True)
    assert "3 links stopped working." in after
    assert "No booklet link sent to this child still works." in after
    assert "This link was lost" not in after
    # Every earlier link is dead: the messages', the letter's short code, and the child's open session.
    assert not any(_opens(app.test_client(), url) for url in urls)
    assert app.test_client().get(short).status_code == 404
    assert phone.get("/booklet").status_code != 200
    # Nobody else's link: the parent's still works.
    assert db.session.scalar(db.select(PrivateLink.revoked_at).filter_by(audience="parent")) is None
    assert parent_token
    # On the record, as the IRO's act.
    [event] = _events("booklet_links_stopped")
    assert (event.actor_kind, event.staff_user_id, event.record_id, event.detail) == ("staff", iro.id, review.id, "3")
    # The kept address went too: a lost phone is never sent a reminder.
    booklet = _booklet(review)
    assert booklet.contact_channel is None and booklet.contact_address is None
    count = len(_messages())
    refused = _post(client, f"/reviews/{review.id}/booklet/send", f"/reviews/{review.id}/booklet/remind")
    assert refused.status_code == 303
    assert "There is no address kept for this booklet" in client.get(refused.headers["Location"]).get_data(as_text=True)
    assert len(_messages()) == count
    # Stopping again when nothing works says so and changes nothing.
    again = _post(client, stop_page, stop_page)
    assert "There were no working links to stop." in client.get(again.headers["Location"]).get_data(as_text=True)


def test_another_iro_cannot_stop_or_remind(app, client):
    _iro, review = _review()
    send_invitation(review, "email", EMAIL)
    other = f.staff("iro")
    db.session.commit()
    f.sign_in(client, other)
    token = f.csrf_token(client, "/children")
    for path in (f"/reviews/{review.id}/booklet/stop-links", f"/reviews/{review.id}/booklet/remind"):
        assert client.post(path, data={"csrf_token": token}).status_code == 404
    assert client.get(f"/reviews/{review.id}/booklet/stop-links").status_code == 404
    assert db.session.scalar(db.select(db.func.count(PrivateLink.id)).filter_by(revoked_at=None)) == 1
    assert len(_messages()) == 1


def test_a_forged_post_stops_nothing_and_sends_nothing(app, client):
    iro, review = _review()
    send_invitation(review, "email", EMAIL)
    db.session.commit()
    f.sign_in(client, iro)
    for path in (f"/reviews/{review.id}/booklet/stop-links", f"/reviews/{review.id}/booklet/remind"):
        assert client.post(path, data={"csrf_token": "forged"}).status_code == 400
    assert db.session.scalar(db.select(db.func.count(PrivateLink.id)).filter_by(revoked_at=None)) == 1
    assert len(_messages()) == 1


@pytest.mark.parametrize("outcome", ["held", "cancelled"])
def test_the_address_is_gone_once_the_review_is_held_or_cancelled(app, client, outcome):
    iro, review = _review(days_ahead=-1)
    send_invitation(review, "sms", MOBILE)
    db.session.commit()
    assert _booklet(review).contact_address == MOBILE_STORED
    f.sign_in(client, iro)
    path = f"/reviews/{review.id}/outcome"
    held = today() - timedelta(days=1)
    data = ({"outcome": "held", "held_date": [str(held.day), str(held.month), str(held.year)], "held_time": "10:00"}
            if outcome == "held" else {"outcome": "cancelled", "cancelled_reason": "Moved to a new home"})
    assert _post(client, path, path, data).status_code == 303
    booklet = _booklet(review)
    assert booklet.review.status == outcome
    assert booklet.contact_channel is None and booklet.contact_address is None
    assert MOBILE_HINT not in client.get(f"/reviews/{review.id}/booklet").get_data(as_text=True)
    # Nothing to remind now: the review is over.
    refused = _post(client, f"/reviews/{review.id}/booklet", f"/reviews/{review.id}/booklet/remind")
    assert refused.status_code == 303 and len(_messages()) == 1


def test_the_address_is_never_shown_in_full_on_the_iros_pages(app, client):
    iro, by_text = _review()
    by_email = f.review(f.child(iro, age=10, preferred_name="Ana"), days_ahead=40)
    send_invitation(by_text, "sms", MOBILE)
    send_invitation(by_email, "email", EMAIL)
    db.session.commit()
    f.sign_in(client, iro)
    pages = ["/children", "/", f"/children/{by_text.child_id}", f"/children/{by_email.child_id}"]
    for review in (by_text, by_email):
        pages += [f"/reviews/{review.id}/booklet", f"/reviews/{review.id}/booklet/send",
                  f"/reviews/{review.id}/booklet/stop-links", f"/reviews/{review.id}/booklet/invitation-letter",
                  f"/reviews/{review.id}/outcome"]
    seen = {}
    for path in pages:
        response = client.get(path, follow_redirects=True)
        assert response.status_code == 200, path
        seen[path] = response.get_data(as_text=True)
    for path, text in seen.items():
        for whole in MOBILE_IN_FULL + EMAIL_IN_FULL:
            assert whole not in text, f"{whole!r} shown on {path}"
    assert MOBILE_HINT in seen[f"/reviews/{by_text.id}/booklet/send"]
    assert MOBILE_HINT in seen[f"/reviews/{by_text.id}/booklet"]
    assert EMAIL_HINT in seen[f"/reviews/{by_email.id}/booklet/send"]
    assert EMAIL_HINT in seen[f"/children/{by_email.child_id}"]
    # Nor in the audit trail.
    details = " ".join(event.detail or "" for event in db.session.scalars(db.select(AuditEvent)))
    assert not any(whole in details for whole in MOBILE_IN_FULL + EMAIL_IN_FULL)

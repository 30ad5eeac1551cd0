"""'I want to tell my IRO something': never lost, sent once, and always noticed by a person."""

from __future__ import annotations

import re
from datetime import timedelta

from portal.extensions import db
from portal.outbox.models import OutboxMessage
from portal.outbox.services import render_text
from portal.safeguarding.models import ChildMessage, MessageDraft, UrgentConcern
from portal.timeutil import utcnow
from tests import factories as f
from tests.test_my_iro import message_form
from tests.test_voice import start_booklet


def _child(iro=None, **fields):
    iro = iro or f.staff("iro", name="Priya Shah")
    review = f.review(f.child(iro, age=fields.pop("age", 13), **fields))
    db.session.commit()
    return review


def _count(model=ChildMessage) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model))


def test_every_message_sends_the_iro_a_notice_without_its_words(app, client):
    review = _child(preferred_name="Kai")
    start_booklet(client, review)
    response = client.post("/my-iro/message", data={**message_form(client), "body": "Can we talk about my bike"})
    assert response.status_code == 303
    notices = db.session.scalars(db.select(OutboxMessage).filter_by(template="child_message_notice")).all()
    assert [n.recipient for n in notices] == [review.iro.email]
    text = render_text(notices[0])
    assert "bike" not in text and "Kai" not in text and "sent you a message" in text


def test_double_and_triple_clicks_send_one_message(app, client):
    review = _child()
    start_booklet(client, review)
    fields = {**message_form(client), "body": "Please ring me"}
    answers = [client.post("/my-iro/message", data=fields) for _ in range(3)]
    assert all(a.status_code == 303 for a in answers)
    assert _count() == 1
    assert db.session.scalar(db.select(db.func.count(OutboxMessage.id)).filter_by(
        template="child_message_notice")) == 1
    assert db.session.scalar(db.select(ChildMessage)).review_id == review.id


def test_a_message_written_past_the_idle_lock_is_delivered_exactly_once(app, client, monkeypatch):
    review = _child()
    start_booklet(client, review)
    fields = message_form(client)
    later = utcnow() + timedelta(minutes=25)
    monkeypatch.setattr("portal.links.session.utcnow", lambda: later)
    body = "It took me a long time to write this. " * 10
    sent = client.post("/my-iro/message", data={**fields, "body": body})
    assert sent.status_code == 200
    page = sent.get_data(as_text=True)
    assert "Your message is sent" in page and "It took me a long time" not in page
    again = client.post("/my-iro/message", data={**fields, "body": body})
    assert again.status_code == 200
    assert _count() == 1
    assert db.session.scalar(db.select(ChildMessage)).body == body.strip()
    # The session stayed locked: nothing of the child's is shown.
    assert client.get("/my-iro").status_code == 401


def test_a_message_sent_after_the_csrf_token_expired_is_delivered(app, client):
    review = _child()
    start_booklet(client, review)
    fields = message_form(client)
    response = client.post("/my-iro/message", data={"csrf_token": "expired-or-missing",
                                                    "submission": fields["submission"], "body": "still here"})
    assert response.status_code == 303
    assert db.session.scalar(db.select(ChildMessage)).body == "still here"
    assert review.id == db.session.scalar(db.select(ChildMessage.review_id))


def test_a_forged_or_foreign_submission_sends_nothing(app, client):
    review = _child()
    other = _child(f.staff("iro"))
    start_booklet(client, review)
    good = message_form(client)
    tampered = good["submission"][:-2] + ("AA" if not good["submission"].endswith("AA") else "BB")
    assert client.post("/my-iro/message", data={**good, "submission": tampered, "body": "x"}).status_code == 400
    assert client.post("/my-iro/message", data={**good, "submission": "", "body": "x"}).status_code == 400
    # A form from another child's session cannot post into this child's session.
    other_client = app.test_client()
    start_booklet(other_client, other)
    theirs = message_form(other_client)
    assert client.post("/my-iro/message", data={**good, "submission": theirs["submission"],
                                                "body": "x"}).status_code == 400
    assert _count() == 0


def test_a_revoked_link_cannot_send(app, client):
    review = _child()
    start_booklet(client, review)
    fields = message_form(client)
    from portal.links.models import PrivateLink

    for link in db.session.scalars(db.select(PrivateLink)):
        link.revoked_at = utcnow()
    db.session.commit()
    assert client.post("/my-iro/message", data={**fields, "body": "hello"}).status_code == 401
    assert _count() == 0


def test_the_draft_saves_as_the_child_types_and_comes_back(app, client):
    review = _child()
    start_booklet(client, review)
    fields = message_form(client)
    saved = client.post("/my-iro/message/draft", json={"body": "I want to say something about"},
                        headers={"X-CSRFToken": fields["csrf_token"]})
    assert saved.status_code == 200 and saved.get_json()["status"] == "saved"
    assert db.session.scalar(db.select(MessageDraft.body)) == "I want to say something about"
    page = client.get("/my-iro/message").get_data(as_text=True)
    assert "I want to say something about" in page
    assert client.post("/my-iro/message/draft", json=["not", "an", "object"],
                       headers={"X-CSRFToken": fields["csrf_token"]}).status_code == 400
    # Sending clears the draft.
    client.post("/my-iro/message", data={**message_form(client), "body": "I want to say something about school"})
    assert _count(MessageDraft) == 0


def test_the_draft_endpoint_says_locked_without_a_session(app, client):
    f.authority()
    db.session.commit()
    response = client.post("/my-iro/message/draft", json={"body": "x"})
    assert response.status_code in (400, 401)
    assert _count(MessageDraft) == 0


def test_a_too_long_message_after_the_lock_is_kept_as_a_draft_and_says_so(app, client, monkeypatch):
    review = _child()
    start_booklet(client, review)
    fields = message_form(client)
    later = utcnow() + timedelta(minutes=25)
    monkeypatch.setattr("portal.links.session.utcnow", lambda: later)
    response = client.post("/my-iro/message", data={**fields, "body": "x" * 2500})
    assert response.status_code == 401
    assert "Your message is kept but not sent yet" in response.get_data(as_text=True)
    assert _count() == 0 and db.session.scalar(db.select(MessageDraft.review_id)) == review.id


def test_a_worrying_message_raises_one_concern_and_no_extra_notice(app, client):
    review = _child()
    start_booklet(client, review)
    client.post("/my-iro/message", data={**message_form(client), "body": "my step dad hit me again"})
    concern = db.session.scalar(db.select(UrgentConcern))
    assert concern is not None and concern.source_kind == "child_message"
    templates = [m.template for m in db.session.scalars(db.select(OutboxMessage))]
    assert templates.count("urgent_notice") == 2 and "child_message_notice" not in templates


def test_unread_messages_show_on_the_iros_list_of_children(app, client):
    iro = f.staff("iro")
    review = _child(iro, preferred_name="Kai")
    start_booklet(client, review)
    client.post("/my-iro/message", data={**message_form(client), "body": "Can you call me"})
    staff = app.test_client()
    f.sign_in(staff, iro)
    listing = staff.get("/children").get_data(as_text=True)
    assert re.search(r"1 unread message\b", listing)
    staff.get(f"/reviews/{review.id}/booklet")
    assert "unread message" not in staff.get("/children").get_data(as_text=True)


def test_a_deactivated_iros_messages_reach_the_team_managers_and_the_duty_inbox(app, client):
    team = f.team()
    iro = f.staff("iro", team=team)
    manager = f.staff("manager", team=team)
    review = _child(iro)
    start_booklet(client, review)
    iro.active = False
    db.session.commit()
    client.post("/my-iro/message", data={**message_form(client), "body": "hello"})
    recipients = sorted(m.recipient for m in db.session.scalars(
        db.select(OutboxMessage).filter_by(template="child_message_notice")))
    assert recipients == sorted([manager.email, "duty@example.org"])

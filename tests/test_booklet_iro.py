"""The IRO reads the booklet: status, suggested PN code, audit of every read, access, recording participation."""

from __future__ import annotations

from flask import render_template_string
from flask_login import login_user

from portal.audit.models import AuditEvent
from portal.booklet.models import Booklet, BookletAnswer, SectionSharing
from portal.booklet.services import booklet_for_review
from portal.booklet.status import booklet_status, status_label, suggested_participation_code
from portal.extensions import db
from portal.reviews import hooks, participation
from portal.reviews.models import Review
from portal.safeguarding.models import ChildMessage
from portal.timeutil import utcnow
from tests import factories as f


def _review(age=13, **fields):
    iro = f.staff("iro")
    return iro, f.review(f.child(iro, age=age, preferred_name="Leo"), **fields)


def _answer(booklet, key, section, **values):
    db.session.add(BookletAnswer(booklet_id=booklet.id, question_set=booklet.question_set, question_key=key,
                                 section=section, state=values.pop("state", "answered"), **values))
    db.session.flush()


def test_status_moves_through_the_childs_steps(app):
    _, review = _review()
    assert booklet_status(review) == "not_sent"
    booklet = booklet_for_review(review)
    assert booklet_status(review) == "not_sent"
    now = utcnow()
    for field, expected in (("invited_at", "sent"), ("opened_at", "opened"), ("started_at", "started"),
                            ("returned_at", "returned"), ("withdrawn_at", "withdrawn")):
        setattr(booklet, field, now)
        assert booklet_status(review) == expected
    assert status_label("returned") == "Returned"


def test_under_four_has_no_booklet_and_pn0(app):
    _, review = _review(age=3)
    assert booklet_status(review) == "none"
    assert booklet_for_review(review) is None
    assert suggested_participation_code(review) == "PN0"


def test_suggested_participation_codes(app):
    cases = {
        ("not_attending", True): "PN6",
        ("someone_speaks", True): "PN5",
        ("in_person", True): "PN1",
        ("online", True): "PN1",
        ("part", True): "PN1",
        ("not_sure", True): None,
        ("not_attending", False): "PN7",
        ("in_person", False): None,
    }
    for (attend, returned), expected in cases.items():
        _, review = _review()
        booklet = booklet_for_review(review)
        _answer(booklet, "attend", "my_meeting", value_choice=attend)
        if returned:
            booklet.returned_at = utcnow()
        assert suggested_participation_code(review) == expected, (attend, returned)
    _, nothing = _review()
    assert suggested_participation_code(nothing) is None


def _filled_review():
    iro, review = _review()
    booklet = booklet_for_review(review)
    booklet.invited_at = booklet.opened_at = booklet.started_at = booklet.returned_at = utcnow()
    _answer(booklet, "attend", "my_meeting", value_choice="not_attending")
    _answer(booklet, "talk_about", "my_meeting", value_text="Staying with my foster family")
    _answer(booklet, "enjoy", "how_things_are", value_text="Football on Saturdays")
    _answer(booklet, "worries", "worries", state="tell_iro")
    db.session.add(SectionSharing(booklet_id=booklet.id, section="how_things_are", social_worker=True))
    message = ChildMessage(review_id=review.id, body="Can you ring me after school?")
    db.session.add(message)
    db.session.commit()
    return iro, review, booklet, message


def test_reading_the_booklet_is_audited_and_marks_messages_read(app, client):
    iro, review, booklet, message = _filled_review()
    f.sign_in(client, iro)
    page = client.get(f"/reviews/{review.id}/booklet")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert html.index("Staying with my foster family") < html.index("Football on Saturdays")
    assert "I will not come, but this booklet will tell my IRO what I think" in html
    assert "I&#39;d rather tell my IRO myself" in html or "I'd rather tell my IRO myself" in html
    assert "Shared with: you and the social worker" in html
    assert "Can you ring me after school?" in html
    assert "PN6" in html

    reads = db.session.scalars(db.select(AuditEvent).filter_by(action="read", record_type="booklet")).all()
    assert [(e.record_id, e.staff_user_id) for e in reads] == [(booklet.id, iro.id)]
    message_reads = db.session.scalars(db.select(AuditEvent).filter_by(action="read", record_type="child_message")).all()
    assert [e.record_id for e in message_reads] == [message.id]
    db.session.expire_all()
    assert db.session.get(ChildMessage, message.id).read_at is not None

    client.get(f"/reviews/{review.id}/booklet")
    assert db.session.scalar(db.select(db.func.count(AuditEvent.id)).filter_by(action="read", record_type="booklet")) == 2


def test_another_iro_gets_404_and_a_manager_can_read(app, client):
    _, review, _booklet, message = _filled_review()
    other = f.staff("iro")
    manager = f.staff("manager")
    admin = f.staff("admin")
    db.session.commit()
    f.sign_in(client, other)
    assert client.get(f"/reviews/{review.id}/booklet").status_code == 404
    token = f.csrf_token(client, "/urgent")
    assert client.post(f"/reviews/{review.id}/participation", data={"csrf_token": token}).status_code == 404
    client.post("/sign-out", data={"csrf_token": token})

    f.sign_in(client, admin)
    assert client.get(f"/reviews/{review.id}/booklet").status_code == 403
    client.post("/sign-out", data={"csrf_token": f.csrf_token(client, "/outbox")})

    f.sign_in(client, manager)
    assert client.get(f"/reviews/{review.id}/booklet").status_code == 200
    # A manager reading does not mark the message read for the IRO.
    db.session.expire_all()
    assert db.session.get(ChildMessage, message.id).read_at is None


def test_participation_is_recorded_only_after_the_meeting(app, client):
    iro, review, _booklet, _message = _filled_review()
    f.sign_in(client, iro)
    path = f"/reviews/{review.id}/booklet"
    assert "once the review has been held" in client.get(path).get_data(as_text=True)
    token = f.csrf_token(client, path)
    early = client.post(f"/reviews/{review.id}/participation",
                        data={"csrf_token": token, "pn-participation_code": "PN6", "pn-chairing": "none"})
    assert early.status_code == 303
    db.session.expire_all()
    assert db.session.get(Review, review.id).participation_code is None

    db.session.get(Review, review.id).status = "held"
    db.session.commit()
    missing = client.post(f"/reviews/{review.id}/participation", data={"csrf_token": token, "pn-participation_code": "PN6"})
    assert missing.status_code == 400 and "Choose who chaired the meeting" in missing.get_data(as_text=True)
    done = client.post(f"/reviews/{review.id}/participation",
                       data={"csrf_token": token, "pn-participation_code": "PN6", "pn-chairing": "none"})
    assert done.status_code == 303
    db.session.expire_all()
    saved = db.session.get(Review, review.id)
    assert (saved.participation_code, saved.chairing) == ("PN6", "none")
    event = db.session.scalar(db.select(AuditEvent).filter_by(action="participation_recorded"))
    assert event.record_id == review.id and event.staff_user_id == iro.id and event.detail == "PN6:none"
    # One table of words: the booklet page and the child's page say the same.
    words = "PN6: Does not attend but conveys their views another way (for example, a booklet)"
    assert f"Recorded: {words}; The IRO chaired it" in client.get(path).get_data(as_text=True)
    assert words in client.get(f"/children/{review.child_id}").get_data(as_text=True)


def test_version_form_changes_the_booklet(app, client):
    iro, review = _review(age=9)
    booklet_for_review(review)
    db.session.commit()
    f.sign_in(client, iro)
    token = f.csrf_token(client, f"/reviews/{review.id}/booklet")
    response = client.post(f"/reviews/{review.id}/booklet/version", data={"csrf_token": token, "version": "4-7"})
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.scalar(db.select(Booklet.version)) == "4-7"


def test_partials_render_for_a_review(app):
    iro, review, _booklet, _message = _filled_review()
    with app.test_request_context("/"):
        login_user(iro)
        cell = render_template_string('{% include "booklet_staff/_status_cell.html" %}', review=review)
        assert "Returned" in cell and "govuk-tag" in cell
        panel = render_template_string('{% include "booklet_staff/_review_panel.html" %}', review=review)
        assert "Invite by" in panel and f"/reviews/{review.id}/booklet/send" in panel
        assert f"/reviews/{review.id}/booklet/invitation-letter" in panel


def test_the_booklet_adds_to_the_review_pages_through_the_reviews_hooks(app, client):
    iro, review, _booklet, _message = _filled_review()
    with app.test_request_context("/"):
        login_user(iro)
        panels = hooks.review_panels(review)
        # The booklet's panel first; the parents' and carers' views after the child's words.
        assert len(panels) == 2 and f"/reviews/{review.id}/booklet/send" in panels[0]
        assert "Parents" in panels[1]
        assert [(str(label), "Returned" in html) for label, html in hooks.review_statuses(review)] == [("Booklet", True)]
    # The outcome form starts from the booklet's suggestion: the child said they would not come.
    assert participation.suggested_code(review) == "PN6"

    f.sign_in(client, iro)
    child_page = client.get(f"/children/{review.child_id}").get_data(as_text=True)
    assert "My Review booklet" in child_page and f"/reviews/{review.id}/booklet/send" in child_page
    listing = client.get("/children").get_data(as_text=True)
    assert "Returned" in listing
    outcome = client.get(f"/reviews/{review.id}/outcome").get_data(as_text=True)
    assert 'value="PN6" checked' in outcome or 'checked value="PN6"' in outcome

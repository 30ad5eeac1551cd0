"""The IRO's side of parents' and carers' views: the panel on a planned review (after the booklet's), asking
one more person, reading their views (audited; nobody else's IRO), and addresses deleted after the review."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from portal.audit.models import AuditEvent
from portal.consultation import services
from portal.consultation.models import ParentConsultation
from portal.extensions import db
from portal.links.models import PrivateLink
from portal.outbox.models import OutboxMessage
from portal.outbox.services import normalise_address, normalise_uk_mobile
from portal.questionnaires.answers import read_posted
from portal.reviews.services import record_cancelled, record_held
from portal.timeutil import utcnow
from tests import factories as f


@pytest.mark.parametrize("raw, expected", [
    ("07700 900982", "+447700900982"),
    ("07700-900-982", "+447700900982"),
    ("+44 7700 900982", "+447700900982"),
    ("+44 (0)7700 900982", "+447700900982"),
    ("0044 7700 900982", "+447700900982"),
    ("01632 960001", None),
    ("0770090098", None),
    ("+33 6 12 34 56 78", None),
    ("", None),
])
def test_uk_mobile_numbers(raw, expected):
    assert normalise_uk_mobile(raw) == expected


def test_email_addresses_and_channels():
    assert normalise_address("email", " mum@example.org ") == "mum@example.org"
    assert normalise_address("email", "mum@example") is None
    assert normalise_address("post", "mum@example.org") is None


def _planned(iro=None):
    iro = iro or f.staff("iro")
    child = f.child(iro, age=12, preferred_name="Amira")
    return iro, f.review(child)


def _panel(client, review) -> str:
    return client.get(f"/children/{review.child_id}").get_data(as_text=True)


def test_the_iro_asks_from_the_panel_which_comes_after_the_booklet(app, client):
    iro, review = _planned()
    db.session.commit()
    f.sign_in(client, iro)
    page = _panel(client, review)
    assert page.index("My Review booklet") < page.index("Parents' and carers' views")
    assert "Nobody has been asked yet." in page
    token = f.csrf_token(client, f"/children/{review.child_id}")
    response = client.post(f"/reviews/{review.id}/parents/ask",
                           data={"csrf_token": token, "description": "Mum", "channel": "sms",
                                 "recipient": "07700 900982"})
    assert response.status_code == 303 and response.headers["Location"].endswith(f"#parents-{review.id}")
    client.post(f"/reviews/{review.id}/parents/ask", data={"csrf_token": token, "description": "Foster carer",
                                                            "channel": "email", "recipient": "carer@example.org"})

    people = db.session.scalars(db.select(ParentConsultation).order_by(ParentConsultation.id)).all()
    assert [(p.recipient_ref, p.description, p.contact_channel, p.contact_address) for p in people] == [
        ("parent-1", "Mum", "sms", "+447700900982"), ("parent-2", "Foster carer", "email", "carer@example.org")]
    messages = db.session.scalars(db.select(OutboxMessage).filter_by(template="consultation_invitation")
                                  .order_by(OutboxMessage.id)).all()
    assert [m.recipient for m in messages] == ["+447700900982", "carer@example.org"]
    assert all(set(m.personalisation) == {"url"} and m.review_id == review.id for m in messages)
    links = db.session.scalars(db.select(PrivateLink).filter_by(purpose="parent_consultation")).all()
    assert {(link.audience, link.recipient_ref) for link in links} == {("parent", "parent-1"), ("parent", "parent-2")}
    assert all(link.short_code_sha256 for link in links)
    invited = db.session.scalars(db.select(AuditEvent).filter_by(action="consultation_invited")).all()
    assert [e.detail for e in invited] == ["sms", "email"]

    page = _panel(client, review)
    assert "<bdi>Mum</bdi>" in page and "<bdi>Foster carer</bdi>" in page
    assert "07\u2022\u2022\u2022 \u2022\u2022\u2022 982" in page and "900982" not in page
    assert "carer@example.org" not in page and "c\u2022\u2022\u2022@example.org" in page


def test_a_bad_address_or_no_description_is_refused_with_a_message(app, client):
    iro, review = _planned()
    db.session.commit()
    f.sign_in(client, iro)
    assert client.get(f"/reviews/{review.id}/parents/ask").status_code == 200
    token = f.csrf_token(client, f"/reviews/{review.id}/parents/ask")
    response = client.post(f"/reviews/{review.id}/parents/ask",
                           data={"csrf_token": token, "description": "Dad", "channel": "sms", "recipient": "01632 960001"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "Enter a UK mobile number" in page and 'value="Dad"' in page
    response = client.post(f"/reviews/{review.id}/parents/ask",
                           data={"csrf_token": token, "description": "", "channel": "email", "recipient": "d@example.org"})
    assert response.status_code == 400 and "Say who they are to the child" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(ParentConsultation.id))) == 0


def test_nobody_is_asked_about_a_review_that_is_over(app):
    _iro, review = _planned()
    record_held(review, utcnow() - timedelta(hours=2))
    with pytest.raises(services.ConsultationError):
        services.ask_parent(review, "Mum", "email", "mum@example.org")


def _sent_back(review, words="Things are better at home"):
    consultation = services.ask_parent(review, "Mum", "email", "mum@example.org")
    link = db.session.get(PrivateLink, consultation.link_id)
    question_form = {"going_well": words, "going_well__version": "0", "attend": "in_person", "attend__version": "0"}
    result = services.save_form(consultation, question_form, link)
    assert result.ok and read_posted
    services.send(consultation, link)
    db.session.commit()
    return consultation


def test_the_iro_reads_the_views_audited_another_iro_gets_404_a_manager_reads(app, client):
    iro, review = _planned()
    consultation = _sent_back(review, "Things are <better> at home \u202e")
    other = f.staff("iro")
    manager = f.staff("manager")
    admin = f.staff("admin")
    db.session.commit()
    path = f"/reviews/{review.id}/parents/{consultation.id}"

    f.sign_in(client, iro)
    page = client.get(path)
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert "Views of <bdi>Mum</bdi>" in text and "Things are &lt;better&gt; at home" in text
    assert "Yes, in person" in text and "Sent back on" in text
    reads = db.session.scalars(db.select(AuditEvent).filter_by(action="read", record_type="parent_consultation")).all()
    assert [(e.record_id, e.staff_user_id, e.actor_kind) for e in reads] == [(consultation.id, iro.id, "staff")]
    assert "Read their views" in _panel(client, review)
    # The wrong review in the address is not found.
    assert client.get(f"/reviews/{review.id + 1}/parents/{consultation.id}").status_code == 404

    client.post("/sign-out", data={"csrf_token": f.csrf_token(client, "/account")})
    f.sign_in(client, other)
    assert client.get(path).status_code == 404
    assert client.post(f"/reviews/{review.id}/parents/ask",
                       data={"csrf_token": f.csrf_token(client, "/account"), "description": "X", "channel": "email",
                             "recipient": "x@example.org"}).status_code == 404

    client.post("/sign-out", data={"csrf_token": f.csrf_token(client, "/account")})
    f.sign_in(client, manager)
    assert client.get(path).status_code == 200
    client.post("/sign-out", data={"csrf_token": f.csrf_token(client, "/account")})
    f.sign_in(client, admin)
    assert client.get(path).status_code == 403


def test_addresses_are_deleted_when_the_review_is_held_and_what_they_wrote_stays(app, client):
    iro, review = _planned()
    consultation = _sent_back(review)
    record_held(review, utcnow() - timedelta(hours=1))
    db.session.commit()
    kept = db.session.get(ParentConsultation, consultation.id)
    assert (kept.contact_channel, kept.contact_address) == (None, None)
    assert kept.description == "Mum" and len(kept.answers) == 2
    assert services.contact_hint(kept) is None
    f.sign_in(client, iro)
    page = client.get(f"/reviews/{review.id}/parents/{consultation.id}").get_data(as_text=True)
    assert "Things are better at home" in page and "example.org" not in page


def test_addresses_are_deleted_when_the_review_is_cancelled(app):
    _iro, review = _planned()
    consultation = services.ask_parent(review, "Dad", "sms", "07700 900123")
    record_cancelled(review, "The child moved")
    db.session.commit()
    assert db.session.get(ParentConsultation, consultation.id).contact_address is None


def test_demo_links_give_a_working_parent_link_for_a_planned_review(app, client):
    _iro, review = _planned()
    links = services.demo_links(review)
    again = services.demo_links(review)
    db.session.commit()
    assert [item["kind"] for item in links] == ["parent_consultation"]
    # One demo parent, a fresh link each time (the older one stops).
    assert db.session.scalar(db.select(db.func.count(ParentConsultation.id))) == 1
    path = re.sub(r"^https?://[^/]+", "", again[0]["url"])
    assert client.get(path).status_code == 200
    assert client.get(re.sub(r"^https?://[^/]+", "", links[0]["url"])).status_code == 404
    record_held(review, utcnow() - timedelta(hours=1))
    assert services.demo_links(review) == []


def test_a_worrying_answer_is_marked_urgent_where_the_iro_reads_it(app, client):
    f.screening_entry("hit me")
    iro, review = _planned()
    consultation = _sent_back(review, "He will hit me if I go")
    db.session.commit()
    f.sign_in(client, iro)
    page = client.get(f"/reviews/{review.id}/parents/{consultation.id}").get_data(as_text=True)
    assert "govuk-tag--red" in page and "See the urgent concerns" in page
    urgent = client.get("/urgent").get_data(as_text=True)
    assert "He will <mark class=\"portal-match\">hit me</mark> if I go" in urgent and "What is going well?" in urgent

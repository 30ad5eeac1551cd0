"""Handing the IRO's device to a parent or carer at the meeting: the IRO is signed out, the session holds
only the handover, every staff page leads to sign-in, and an unused form is abandoned after its time."""

from __future__ import annotations

import re

from portal.audit.models import AuditEvent
from portal.extensions import db
from portal.feedback.models import FeedbackInvitation
from portal.links.models import PrivateLink
from portal.settings import authority_settings
from portal.timeutil import utcnow
from tests import factories as f

HANDOVER_KEY = "feedback_handover"


def _handed_over(client):
    iro = f.staff("iro")
    review = f.review(f.child(iro, age=9, preferred_name="Amira"), days_ahead=-1, status="held")
    db.session.commit()
    f.sign_in(client, iro)
    path = f"/reviews/{review.id}/feedback"
    response = client.post(f"{path}/handover", data={"csrf_token": f.csrf_token(client, path)})
    return iro, review, response


def _staff_urls(review) -> list[str]:
    return ["/children", f"/children/{review.child_id}", f"/reviews/{review.id}/feedback",
            f"/reviews/{review.id}/outcome", "/urgent", "/account", "/service", "/outbox", "/admin/settings"]


def test_after_handover_every_staff_page_leads_to_sign_in(app, client):
    iro, review, response = _handed_over(client)
    assert response.status_code == 303
    token_path = response.headers["Location"]
    assert re.fullmatch(r"/l/[\w-]{20,}", token_path)
    with client.session_transaction() as session:
        # Nothing of the IRO's: no user id, no CSRF token of theirs, only the handover.
        assert set(session.keys()) - {"_permanent", "_key"} == {HANDOVER_KEY}
        state = session[HANDOVER_KEY]
    minutes = authority_settings().handover_minutes
    assert 0 < state["until"] - utcnow().timestamp() <= minutes * 60
    for url in _staff_urls(review):
        answer = client.get(url)
        assert answer.status_code in (302, 303), url
        assert answer.headers["Location"].split("?")[0].endswith("/sign-in"), url
    invitation = db.session.scalar(db.select(FeedbackInvitation))
    assert (invitation.group, invitation.channel, invitation.contact) == ("parent_carer", "handover", None)
    link = db.session.get(PrivateLink, state["link_id"])
    assert link.id == invitation.link_id and link.audience == "parent"
    event = db.session.scalar(db.select(AuditEvent).filter_by(action="feedback_invited"))
    assert event.detail == "parent_carer:handover" and event.staff_user_id == iro.id

    # The form opens, with nothing of the staff side on it.
    form = client.get(token_path)
    page = form.get_data(as_text=True)
    assert form.status_code == 200 and form.headers["Cache-Control"] == "no-store"
    assert "Sign out" not in page and 'href="/children' not in page and "Amira" not in page


def test_the_staff_pages_are_never_cached(app, client):
    iro = f.staff("iro")
    db.session.commit()
    f.sign_in(client, iro)
    assert client.get("/children").headers["Cache-Control"] == "no-store"


def test_the_iro_signs_in_again_afterwards(app, client):
    iro, review, _response = _handed_over(client)
    f.sign_in(client, iro)
    assert client.get(f"/reviews/{review.id}/feedback").status_code == 200


def test_an_unused_handover_is_abandoned_after_its_time(app, client):
    _iro, review, response = _handed_over(client)
    token_path = response.headers["Location"]
    with client.session_transaction() as session:
        session[HANDOVER_KEY] = {**session[HANDOVER_KEY], "until": utcnow().timestamp() - 1}
    abandoned = client.get(token_path)
    page = abandoned.get_data(as_text=True)
    assert "This form was left unused" in page and "<form" not in page
    with client.session_transaction() as session:
        assert HANDOVER_KEY not in session
    # The link stopped with it: going back to it shows no form.
    assert db.session.scalar(db.select(PrivateLink.revoked_at).where(PrivateLink.purpose == "feedback")) is not None
    again = client.get(token_path)
    assert "This form was left unused" not in again.get_data(as_text=True)
    assert 'name="csrf_token"' not in again.get_data(as_text=True) and again.status_code in (404, 410)
    assert client.get("/children").status_code == 302


def test_only_the_iro_hands_over_and_only_with_the_forms_token(app, client):
    iro = f.staff("iro")
    review = f.review(f.child(iro), days_ahead=-1, status="held")
    db.session.commit()
    f.sign_in(client, iro)
    refused = client.post(f"/reviews/{review.id}/feedback/handover", data={})
    assert refused.status_code == 400
    assert db.session.scalar(db.select(db.func.count(FeedbackInvitation.id))) == 0
    assert client.get("/children").status_code == 200


def test_an_administrator_sets_the_reminder_days_and_the_handover_minutes(app, client):
    f.authority()
    admin = f.staff("admin")
    db.session.commit()
    f.sign_in(client, admin)
    page = client.get("/admin/settings").get_data(as_text=True)
    assert 'name="feedback_reminder_working_days"' in page and 'name="handover_minutes"' in page
    settings = {"name": "Testshire County Council", "contact_phone": "0100 000 0000", "contact_email": "",
                "duty_inbox_email": "duty@example.org", "invitation_working_days": "10", "record_working_days": "20",
                "suppression_threshold": "10", "staff_idle_minutes": "30", "booklet_idle_minutes": "10",
                "urgent_escalation_working_hours": "4", "set_password_link_hours": "24",
                "feedback_reminder_working_days": "7", "handover_minutes": "20",
                "csrf_token": f.csrf_token(client, "/admin/settings")}
    assert client.post("/admin/settings", data=settings).status_code == 303
    authority = authority_settings()
    db.session.refresh(authority)
    assert (authority.feedback_reminder_working_days, authority.handover_minutes) == (7, 20)
    too_many = client.post("/admin/settings", data={**settings, "feedback_reminder_working_days": "21",
                                                     "handover_minutes": "4"})
    text = too_many.get_data(as_text=True)
    assert too_many.status_code == 200 and "Enter a number from 1 to 20" in text and "Enter a number from 5 to 60" in text
    assert 'value="21"' in text
    db.session.refresh(authority)
    assert authority.handover_minutes == 20

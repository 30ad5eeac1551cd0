"""Parents' and carers' views before the review: the parent's link, their one page, check and send, the
closed and unknown links, and what they write kept exactly (or refused with their words kept)."""

from __future__ import annotations

import html
from datetime import timedelta

from markupsafe import escape

from portal.audit.models import AuditEvent
from portal.consultation import services
from portal.consultation.models import ConsultationAnswer, ParentConsultation
from portal.extensions import db
from portal.links.models import PrivateLink
from portal.outbox.models import OutboxMessage
from portal.reviews.services import record_cancelled, record_held
from portal.safeguarding.models import UrgentConcern
from portal.timeutil import utcnow
from tests import factories as f
from tests.unit.test_questionnaires import submit

WORRY = "=SUM(A1) 😟 مرحبا <b>bold</b> & more"


def _asked(description="Mum", channel="email", address="mum@example.org", **child_fields):
    """A planned review and one parent asked; returns (iro, review, consultation, path of their link)."""
    iro = f.staff("iro", name="Priya Shah")
    child = f.child(iro, age=9, preferred_name="Leo", **child_fields)
    review = f.review(child)
    consultation = services.ask_parent(review, description, channel, address)
    db.session.commit()
    message = db.session.scalar(db.select(OutboxMessage).filter_by(template="consultation_invitation"))
    return iro, review, consultation, message.personalisation["url"].removeprefix("http://localhost")


def _start(client, path):
    response = client.post(path)
    assert response.status_code == 303 and response.headers["Location"].endswith("/parent-views")
    return response


def _form(client, **changes):
    page = client.get("/parent-views")
    assert page.status_code == 200
    return submit(page.get_data(as_text=True), **changes)


def _answers(consultation) -> dict:
    rows = db.session.scalars(db.select(ConsultationAnswer).filter_by(consultation_id=consultation.id)).all()
    return {row.question_key: row.value_choice if row.value_choice is not None else row.value_text for row in rows}


def test_the_parent_opens_their_link_starts_answers_checks_and_sends(app, client):
    iro, review, consultation, path = _asked()
    landing = client.get(path)
    text = landing.get_data(as_text=True)
    assert landing.status_code == 200 and "Your views before the review" in text and "Priya Shah" in text
    assert "It is not anonymous" in text and "Leo" not in text
    # Looking at the landing page uses nothing.
    assert db.session.get(ParentConsultation, consultation.id).opened_at is None
    _start(client, path)
    assert db.session.get(ParentConsultation, consultation.id).opened_at is not None

    form = _form(client, going_well="Leo is doing well at school", worries=WORRY, attend="online",
                 needs=["interpreter", "travel"], language="Polish")
    response = client.post("/parent-views", data=form)
    assert response.status_code == 303 and response.headers["Location"].endswith("/parent-views/check")
    assert _answers(consultation) == {"going_well": "Leo is doing well at school", "worries": WORRY,
                                      "attend": "online", "needs": '["interpreter", "travel"]', "language": "Polish"}

    check = client.get("/parent-views/check").get_data(as_text=True)
    assert html.escape(WORRY, quote=False) in check and "<b>bold</b>" not in check
    assert "Yes, online or by phone" in check and "An interpreter, Help to get there" in check
    token = f.csrf_token(client, "/parent-views/check")
    sent = client.post("/parent-views/send", data={"csrf_token": token})
    assert sent.status_code == 303 and sent.headers["Location"].endswith("/parent-views/sent")
    first = db.session.get(ParentConsultation, consultation.id).submitted_at
    assert first is not None
    # A double click, the back button, a second tab: sent once.
    assert client.post("/parent-views/send", data={"csrf_token": token}).status_code == 303
    assert db.session.get(ParentConsultation, consultation.id).submitted_at == first
    thanks = client.get("/parent-views/sent").get_data(as_text=True)
    assert "Your views have been sent" in thanks and "Priya Shah" in thanks

    actions = [e.action for e in db.session.scalars(db.select(AuditEvent).filter_by(
        record_type="parent_consultation").order_by(AuditEvent.id))]
    assert actions[:3] == ["consultation_invited", "consultation_opened", "consultation_saved"]
    returned = db.session.scalars(db.select(AuditEvent).filter_by(action="consultation_returned")).all()
    assert len(returned) == 2 and {e.actor_kind for e in returned} == {"parent"}


def test_the_form_reads_back_what_was_saved_and_a_blank_answer_clears_it(app, client):
    _iro, _review, consultation, path = _asked()
    _start(client, path)
    client.post("/parent-views", data=_form(client, worries="Contact times", attend="cannot"))
    form = _form(client)
    assert form["worries"] == "Contact times" and form["attend"] == "cannot"
    client.post("/parent-views", data=_form(client, worries=""))
    assert _answers(consultation) == {"attend": "cannot"}


def test_worrying_words_raise_a_concern_that_reaches_a_person(app, client):
    f.screening_entry("hit me")
    iro, review, consultation, path = _asked()
    _start(client, path)
    client.post("/parent-views", data=_form(client, worries="He said he would hit me again"))
    concern = db.session.scalar(db.select(UrgentConcern))
    answer = db.session.scalar(db.select(ConsultationAnswer).filter_by(question_key="worries"))
    assert (concern.source_kind, concern.source_id, concern.review_id) == ("consultation_answer", answer.id, review.id)
    assert concern.snapshot_text == "He said he would hit me again" and concern.snapshot_label == "What worries you?"
    assert answer.urgent is True
    notices = db.session.scalars(db.select(OutboxMessage).filter_by(template="urgent_notice")).all()
    assert {m.recipient for m in notices} == {iro.email, "duty@example.org"}
    assert all(set(m.personalisation) == {"url"} for m in notices)


def test_a_choice_is_never_screened_and_a_calm_answer_raises_nothing(app, client):
    f.screening_entry("hit me")
    _start(client, _asked()[3])
    client.post("/parent-views", data=_form(client, worries="We are fine, thank you", attend="in_person"))
    assert db.session.scalar(db.select(db.func.count(UrgentConcern.id))) == 0


def test_a_10000_character_answer_is_refused_and_the_words_are_kept(app, client):
    _iro, _review, consultation, path = _asked()
    _start(client, path)
    long_words = "Long story. " * 833 + "end"
    assert len(long_words) >= 9999
    response = client.post("/parent-views", data=_form(client, talk_about=long_words, attend="online"))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Your answer can be up to 2,000 characters. You have written 9,999." in page
    assert long_words.strip() in page and "There is a problem" in page
    # The other answer on the page was saved; the long one was not.
    assert _answers(consultation) == {"attend": "online"}


def test_emoji_right_to_left_and_formula_like_text_are_stored_and_shown_exactly(app, client):
    _iro, _review, consultation, path = _asked()
    _start(client, path)
    words = "=HYPERLINK(\"http://x\")\n👨‍👩‍👧 שלום עולם\nلا بأس"
    client.post("/parent-views", data=_form(client, going_well=words, language="العربية"))
    assert _answers(consultation) == {"going_well": words, "language": "العربية"}
    page = client.get("/parent-views").get_data(as_text=True)
    assert str(escape(words)) in page


def test_nul_bytes_never_break_the_save(app, client):
    _iro, _review, consultation, path = _asked()
    _start(client, path)
    response = client.post("/parent-views", data=_form(client, worries="before\x00after"))
    assert response.status_code in (303, 400)
    assert "\x00" not in (_answers(consultation).get("worries") or "")


def test_another_tab_s_newer_answer_is_never_overwritten(app, client):
    _iro, _review, consultation, path = _asked()
    _start(client, path)
    stale = _form(client)
    client.post("/parent-views", data=_form(client, worries="From the first tab"))
    response = client.post("/parent-views", data={**stale.to_dict(), "worries": "From the old tab"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "changed in another window" in page
    assert "From the old tab" in page and "From the first tab" in page
    assert _answers(consultation) == {"worries": "From the first tab"}
    # Keeping theirs is a choice: then nothing changes and the page moves on.
    again = submit(page, worries__choose="theirs")
    assert client.post("/parent-views", data=again).status_code == 303
    assert _answers(consultation) == {"worries": "From the first tab"}


def test_words_posted_after_the_page_locked_are_never_shown_and_are_saved_after_start(app, client):
    _iro, _review, consultation, path = _asked()
    _start(client, path)
    form = _form(client, worries="Words typed before lunch")
    with client.session_transaction() as session:
        state = dict(session["link_session"])
        state["last_seen"] -= services.IDLE_MINUTES * 60 + 5
        session["link_session"] = state
    response = client.post("/parent-views", data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 401 and "Open your link again" in page
    # Someone else picking up the phone sees nothing of what was written.
    assert "Words typed before lunch" not in page and "what you just wrote will be saved" in page
    assert _answers(consultation) == {}
    _start(client, path)
    assert _answers(consultation) == {"worries": "Words typed before lunch"}
    assert "We saved what you wrote before." in client.get("/parent-views").get_data(as_text=True)


def test_words_posted_when_the_form_timed_out_are_kept_the_same_way(app, client):
    _iro, _review, consultation, path = _asked()
    _start(client, path)
    form = _form(client, talk_about="Keep this")
    form["csrf_token"] = "expired"
    response = client.post("/parent-views", data=form)
    assert response.status_code == 401 and "Keep this" not in response.get_data(as_text=True)
    _start(client, path)
    assert _answers(consultation) == {"talk_about": "Keep this"}


def test_kept_words_go_only_to_the_consultation_they_were_written_for(app, client):
    _iro, review, first, first_path = _asked()
    second = services.ask_parent(review, "Dad", "email", "dad@example.org")
    db.session.commit()
    second_url = db.session.scalars(db.select(OutboxMessage).filter_by(template="consultation_invitation")
                                    .order_by(OutboxMessage.id.desc())).first().personalisation["url"]
    _start(client, first_path)
    form = _form(client, worries="Mum's words")
    with client.session_transaction() as session:
        session.pop("link_session")
    assert client.post("/parent-views", data=form).status_code == 401
    _start(client, second_url.removeprefix("http://localhost"))
    assert _answers(second) == {} and _answers(first) == {}


def test_the_form_is_closed_once_the_review_is_held(app, client):
    _iro, review, consultation, path = _asked()
    _start(client, path)
    record_held(review, utcnow() - timedelta(hours=1))
    db.session.commit()
    for page in (client.get(path), client.get("/parent-views"), client.get("/parent-views/check")):
        assert page.status_code == 200 and "This form is closed" in page.get_data(as_text=True)
    closed = client.post(path)
    assert closed.status_code == 200 and "<h1 class=\"govuk-heading-l\">This form is closed</h1>" in closed.get_data(as_text=True)
    assert "review meeting has happened" in client.get(path).get_data(as_text=True)


def test_a_cancelled_review_says_so(app, client):
    _iro, review, _consultation, path = _asked()
    record_cancelled(review, "Moved")
    db.session.commit()
    assert "was cancelled" in client.get(path).get_data(as_text=True)


def test_unknown_and_replaced_links_are_a_plain_not_found(app, client):
    _iro, _review, consultation, path = _asked()
    page = client.get("/l/not-a-real-token")
    assert page.status_code == 404 and "This link does not work" in page.get_data(as_text=True)
    services.issue_consultation_link(db.session.get(ParentConsultation, consultation.id))
    db.session.commit()
    assert client.get(path).status_code == 404


def test_the_parent_s_pages_need_their_own_link_session(app, client):
    _iro, review, _consultation, _path = _asked()
    assert client.get("/parent-views").status_code == 401
    # A child's booklet session is not a parent's.
    _record, token = f.link(review)
    f.booklet(review)
    db.session.commit()
    client.post(f"/l/{token}")
    assert client.get("/parent-views").status_code == 401


def test_a_link_session_is_regenerated_and_the_link_used_only_on_start(app, client):
    _iro, _review, consultation, path = _asked()
    client.get(path)
    link = db.session.get(PrivateLink, db.session.get(ParentConsultation, consultation.id).link_id)
    assert link.first_used_at is None and link.audience == "parent" and link.recipient_ref == "parent-1"
    _start(client, path)
    assert db.session.get(PrivateLink, link.id).first_used_at is not None


def test_welsh_pages_are_served_in_welsh(app, client):
    _iro, _review, _consultation, path = _asked()
    client.get("/language/cy?next=/")
    page = client.get(path).get_data(as_text=True)
    assert 'lang="cy"' in page

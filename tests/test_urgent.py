"""Urgent answers: screening, telling the IRO and duty inbox (no content), escalation, acknowledgement."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from portal.audit.models import AuditEvent
from portal.booklet.models import BookletAnswer
from portal.booklet.services import booklet_for_review
from portal.extensions import db
from portal.outbox.models import OutboxMessage
from portal.outbox.services import render_text
from portal.safeguarding.models import ChildMessage, UrgentConcern
from portal.safeguarding.services import add_working_hours, escalate_overdue_concerns, screen, send_child_message
from portal.timeutil import LONDON, as_utc
from tests import factories as f

# --- add_working_hours (no database) -------------------------------------------------------------


def london(*args) -> datetime:
    return datetime(*args, tzinfo=LONDON)


def test_friday_afternoon_plus_four_working_hours_is_monday_noon():
    # 27 November 2026 is a Friday.
    assert add_working_hours(london(2026, 11, 27, 16), 4) == london(2026, 11, 30, 12).astimezone(UTC)


def test_hours_inside_one_day():
    assert add_working_hours(london(2026, 11, 24, 10), 4) == london(2026, 11, 24, 14)


def test_evening_and_weekend_starts_count_from_next_working_morning():
    assert add_working_hours(london(2026, 11, 24, 20), 2) == london(2026, 11, 25, 11)
    assert add_working_hours(london(2026, 11, 28, 10), 2) == london(2026, 11, 30, 11)
    assert add_working_hours(london(2026, 11, 24, 7), 1) == london(2026, 11, 24, 10)


def test_bank_holidays_are_skipped():
    # Christmas Eve 2026 is a Thursday; 25 and 28 December are bank holidays (Boxing Day substitute).
    assert add_working_hours(london(2026, 12, 24, 15), 4) == london(2026, 12, 29, 11)


def test_summer_time_is_london_wall_clock():
    # 9:00 in London in July is 8:00 UTC.
    result = add_working_hours(datetime(2026, 7, 6, 6, tzinfo=UTC), 1)
    assert result == datetime(2026, 7, 6, 9, tzinfo=UTC)


# --- screening on both databases ---------------------------------------------------------------


def _setup(language="en"):
    f.authority()
    iro = f.staff("iro")
    child = f.child(iro, age=13, preferred_name="Leo", preferred_language=language)
    review = f.review(child)
    booklet = booklet_for_review(review)
    for word, lang in (("hurt", "en"), ("brifo", "cy"), ("want to die", "en")):
        f.screening_entry(word, lang)
    return iro, review, booklet


def _answer(booklet, key, section, **values):
    answer = BookletAnswer(booklet_id=booklet.id, question_set=booklet.question_set, question_key=key,
                           section=section, state="answered", **values)
    db.session.add(answer)
    db.session.flush()
    return answer


def _found(text):
    return {m.phrase for m in screen(text)}


def test_word_list_matches_whole_words_and_phrases_only(app):
    _setup()
    assert "hurt" in _found("he hurt me")
    assert "hurt" in _found("He HURT me.")
    assert "hurt" not in _found("the car will hurtle past")
    assert "want to die" in _found("I sometimes want to die")
    assert "want to die" not in _found("I want to diet")
    # Welsh words are found in any child's text (children mix languages).
    assert "brifo" in _found("Mae e'n brifo fi")
    assert screen("") == []


def test_unsafe_choice_raises_concern_and_tells_iro_and_duty_inbox_without_content(app):
    iro, review, booklet = _setup()
    answer = _answer(booklet, "feel_safe", "worries", value_choice="no")
    assert f.screen_booklet_answer(booklet, answer) is True
    db.session.commit()

    concern = db.session.scalar(db.select(UrgentConcern))
    assert (concern.source_kind, concern.source_id, concern.reason) == ("booklet_answer", answer.id, "unsafe_question")
    assert concern.snapshot_text == "No, I do not feel safe"
    assert answer.urgent is True
    messages = db.session.scalars(db.select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert [m.recipient for m in messages] == [iro.email, "duty@example.org"]
    for message in messages:
        assert message.template == "urgent_notice"
        assert set(message.personalisation) == {"url"}
        assert message.personalisation["url"].endswith("/urgent")
        text = render_text(message)
        assert "Leo" not in text and "may need attention" in text
    event = db.session.scalar(db.select(AuditEvent).filter_by(action="urgent_raised"))
    assert event.record_id == concern.id and event.detail == "unsafe_question"


def test_screening_again_does_not_raise_a_second_concern(app):
    _, review, booklet = _setup()
    answer = _answer(booklet, "feel_safe", "worries", value_choice="not_always")
    f.screen_booklet_answer(booklet, answer)
    f.screen_booklet_answer(booklet, answer)
    db.session.commit()
    assert db.session.scalar(db.select(db.func.count(UrgentConcern.id))) == 1
    assert db.session.scalar(db.select(db.func.count(OutboxMessage.id))) == 2


def test_safe_answer_and_harmless_text_raise_nothing(app):
    _, review, booklet = _setup()
    assert f.screen_booklet_answer(booklet, _answer(booklet, "feel_safe", "worries", value_choice="yes")) is False
    assert f.screen_booklet_answer(booklet, _answer(booklet, "worries", "worries",
                                                    value_text="I hurtle down hills on my bike")) is False
    db.session.commit()
    assert db.session.scalar(db.select(db.func.count(UrgentConcern.id))) == 0
    assert db.session.scalar(db.select(db.func.count(OutboxMessage.id))) == 0


@pytest.mark.parametrize("text", ["he hurt me", "Mae e'n brifo fi"])
def test_free_text_word_list_match_is_urgent(app, text):
    _, review, booklet = _setup(language="cy")
    answer = _answer(booklet, "worries", "worries", value_text=text)
    assert f.screen_booklet_answer(booklet, answer) is True
    db.session.commit()
    concern = db.session.scalar(db.select(UrgentConcern))
    assert concern.reason == "word_list"
    for message in db.session.scalars(db.select(OutboxMessage)):
        assert text not in render_text(message) and text not in str(message.personalisation)


def test_child_message_is_screened(app):
    _, review, _booklet = _setup()
    message, created = send_child_message(review, "my brother hurt me")
    db.session.commit()
    assert created and message.urgent is True
    concern = db.session.scalar(db.select(UrgentConcern))
    assert (concern.source_kind, concern.source_id) == ("child_message", message.id)
    calm, _created = send_child_message(review, "can we meet after school")
    assert calm.urgent is False
    assert db.session.scalar(db.select(db.func.count(ChildMessage.id))) == 2


def test_escalation_goes_to_team_managers_once_after_the_working_hours(app):
    team = f.team()
    iro = f.staff("iro", team=team)
    team_manager = f.staff("manager", team=team)
    other_manager = f.staff("manager", team=f.team())
    f.staff("manager", team=team).active = False
    review = f.review(f.child(iro, age=12))
    booklet = booklet_for_review(review)
    f.screen_booklet_answer(booklet, _answer(booklet, "feel_safe", "worries", value_choice="no"))
    db.session.commit()
    concern = db.session.scalar(db.select(UrgentConcern))
    due = as_utc(concern.escalate_after)

    assert escalate_overdue_concerns(now=due - timedelta(minutes=1)) == 0
    assert escalate_overdue_concerns(now=due) == 1
    db.session.commit()
    escalations = db.session.scalars(db.select(OutboxMessage).filter_by(template="urgent_escalation")).all()
    assert [m.recipient for m in escalations] == [team_manager.email]
    assert other_manager.email not in [m.recipient for m in escalations]
    assert set(escalations[0].personalisation) == {"url"}
    assert concern.escalated_at is not None
    # Once only.
    assert escalate_overdue_concerns(now=due + timedelta(hours=5)) == 0


def test_escalation_falls_back_to_all_managers_and_skips_acknowledged(app):
    iro = f.staff("iro")
    manager = f.staff("manager", team=f.team())
    review = f.review(f.child(iro, age=12))
    booklet = booklet_for_review(review)
    f.screen_booklet_answer(booklet, _answer(booklet, "feel_safe", "worries", value_choice="no"))
    second = _answer(booklet, "worries", "worries", value_text="he hurt me")
    f.screening_entry("hurt")
    f.screen_booklet_answer(booklet, second)
    first, other = db.session.scalars(db.select(UrgentConcern).order_by(UrgentConcern.id)).all()
    other.acknowledged_at = other.created_at
    db.session.commit()
    assert escalate_overdue_concerns(now=as_utc(first.escalate_after) + timedelta(days=30)) == 1
    db.session.commit()
    recipients = [m.recipient for m in db.session.scalars(db.select(OutboxMessage).filter_by(template="urgent_escalation"))]
    assert recipients == [manager.email]


# --- the IRO's pages -----------------------------------------------------------------------------


def _urgent_review():
    iro, review, booklet = _setup()
    answer = _answer(booklet, "feel_safe", "worries", value_choice="no")
    _answer(booklet, "talk_about", "my_meeting", value_text="I want to talk about seeing my nan")
    f.screen_booklet_answer(booklet, answer)
    db.session.commit()
    return iro, review, booklet


def test_iro_sees_urgent_first_and_acknowledges_with_a_note(app, client):
    iro, review, booklet = _urgent_review()
    f.sign_in(client, iro)

    listing = client.get("/urgent")
    assert listing.status_code == 200 and "Leo" in listing.get_data(as_text=True)

    page = client.get(f"/reviews/{review.id}/booklet").get_data(as_text=True)
    assert page.index("Urgent: read this first") < page.index("My meeting") < page.index("How things are going")
    assert page.index("seeing my nan") < page.index("Do you feel safe where you live?", page.index("My meeting"))
    concern = db.session.scalar(db.select(UrgentConcern))
    token = f.csrf_token(client, f"/reviews/{review.id}/booklet")

    empty = client.post(f"/urgent/{concern.id}/acknowledge", data={"csrf_token": token, f"ack{concern.id}-note": ""})
    assert empty.status_code == 400 and "Write what you have done about it" in empty.get_data(as_text=True)

    done = client.post(f"/urgent/{concern.id}/acknowledge",
                       data={"csrf_token": token, f"ack{concern.id}-note": "Rang Leo and the social worker"})
    assert done.status_code == 303
    db.session.expire_all()
    concern = db.session.get(UrgentConcern, concern.id)
    assert concern.acknowledged_at is not None and concern.acknowledged_by_id == iro.id
    assert concern.acknowledgement_note == "Rang Leo and the social worker"
    event = db.session.scalar(db.select(AuditEvent).filter_by(action="urgent_acknowledged"))
    assert event.staff_user_id == iro.id and event.record_id == concern.id
    assert "Nothing urgent is waiting" in client.get("/urgent").get_data(as_text=True)


def test_urgent_list_and_banner_count_only_own_concerns(app, client):
    _, review, _booklet = _urgent_review()
    other_iro = f.staff("iro")
    manager = f.staff("manager")
    db.session.commit()
    f.sign_in(client, other_iro)
    assert "Leo" not in client.get("/urgent").get_data(as_text=True)
    assert client.get(f"/reviews/{review.id}/booklet").status_code == 404
    concern = db.session.scalar(db.select(UrgentConcern))
    token = f.csrf_token(client, "/outbox")
    assert client.post(f"/urgent/{concern.id}/acknowledge",
                       data={"csrf_token": token, f"ack{concern.id}-note": "x"}).status_code == 404
    client.post("/sign-out", data={"csrf_token": token})
    f.sign_in(client, manager)
    assert "Leo" in client.get("/urgent").get_data(as_text=True)


def test_urgent_banner_partial(app):
    from flask import render_template_string
    from flask_login import login_user

    iro, _review, _booklet = _urgent_review()
    with app.test_request_context("/"):
        login_user(iro)
        html = render_template_string('{% include "safeguarding/_urgent_banner.html" %}')
        assert "1 thing a child wrote may need attention now." in html
        login_user(f.staff("iro"))
        assert render_template_string('{% include "safeguarding/_urgent_banner.html" %}').strip() == ""

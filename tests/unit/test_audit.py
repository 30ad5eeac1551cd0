"""The audit says who acted: the link's audience; an anonymous link leaves nothing that leads back."""

from __future__ import annotations

from datetime import timedelta

from portal.audit import record_event
from portal.extensions import db
from portal.links.services import issue_link
from portal.timeutil import utcnow
from tests import factories as f


def _link(review, purpose, audience):
    link, _token, _code = issue_link(purpose=purpose, audience=audience, review_id=review.id,
                                     expires_at=utcnow() + timedelta(days=30))
    return link


def test_a_childs_event_names_the_child_and_keeps_the_link(app):
    review = f.review(f.child(f.staff("iro")))
    link = _link(review, "booklet", "child")
    event = record_event("booklet_opened", "booklet", 7, link=link)
    assert (event.actor_kind, event.link_id, event.record_id) == ("child", link.id, 7)


def test_a_parent_consulted_before_the_review_is_a_parent(app):
    review = f.review(f.child(f.staff("iro")))
    link = _link(review, "consultation", "parent")
    event = record_event("answers_saved", "consultation", 3, link=link)
    assert (event.actor_kind, event.link_id) == ("parent", link.id)


def test_anonymous_feedback_records_no_link_and_no_record(app):
    review = f.review(f.child(f.staff("iro")))
    link = _link(review, "feedback", "professional")
    event = record_event("feedback_returned", "feedback_response", 42, detail="form 3", link=link)
    db.session.flush()
    assert event.actor_kind == "professional"
    assert event.link_id is None and event.record_id is None and event.detail == ""


def test_without_a_link_or_a_person_it_is_the_system(app):
    assert record_event("urgent_escalated", "urgent_concern", 1).actor_kind == "system"


def test_the_factories_make_what_they_say(app):
    """tests/factories.py: a link, a booklet, an answer, a message and a concern in one call each."""
    review = f.review(f.child(f.staff("iro"), age=12))
    link, token = f.link(review)
    assert link.review_id == review.id and token
    booklet = f.booklet(review)
    answer = f.answer(booklet, "good_news", "I passed my exam")
    assert answer.value_text == "I passed my exam" and answer.version == 1
    message = f.message(review)
    assert message.review_id == review.id and not message.urgent
    concern = f.concern(review, "he hit me again")
    assert concern.snapshot_text == "he hit me again" and "physical_harm" in concern.category_list

"""The child reads the letter: the letter link's landing page and Start, the reading page, the booklet link
after the meeting, and 'the letter is ready' through the outbox."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest

from portal.audit.models import AuditEvent
from portal.booklet.services import issue_booklet_link
from portal.extensions import db
from portal.letters import services
from portal.letters.notify import tell_child
from portal.letters.reading import issue_letter_link
from portal.links.models import PrivateLink
from portal.links.services import revoke
from portal.outbox.models import OutboxMessage
from portal.timeutil import LONDON, today
from tests import factories as f

HOSTILE = '<script>alert("x")</script> and <b>bold</b>'


def held_review(name="Ellie", language="en", iro=None, **child_fields):
    iro = iro or f.staff("iro", name="Priya Shah", phone="0100 000 9999")
    child = f.child(iro, preferred_name=name, preferred_language=language, came_into_care=date(2024, 1, 8),
                    **child_fields)
    when = datetime.combine(today() - timedelta(days=3), time(10), tzinfo=LONDON)
    review = f.review(child, status="held", meeting_at=when, held_at=when, participation_code="PN1",
                      chairing="chaired")
    return review, iro


def issue_letter(review, iro, versions=1, **fields):
    """Issue `versions` versions of the review's letter; the last is returned."""
    version = None
    for number in range(1, versions + 1):
        draft = services.draft(review, iro)
        services.save_draft(draft, draft.version_counter,
                            going_well=fields.get("going_well", f"Version {number}: you are doing well at school."),
                            **{k: v for k, v in fields.items() if k != "going_well"})
        if number == 1:
            services.set_actions(draft, [("Visit Nana", "Your social worker", date(2026, 12, 20))])
        version = services.issue(draft, iro, reason=None if number == 1 else "Ellie asked for a change")
    db.session.commit()
    return version


def letter_link_path(review) -> str:
    url = issue_letter_link(review)
    db.session.commit()
    return url.removeprefix("http://localhost")


def booklet_link_path(review) -> str:
    url, _ = issue_booklet_link(review)
    db.session.commit()
    return url.removeprefix("http://localhost")


def _events(action):
    return db.session.scalars(db.select(AuditEvent).filter_by(action=action)).all()


def test_the_letter_links_landing_page_changes_nothing(client):
    review, iro = held_review()
    issue_letter(review, iro)
    path = letter_link_path(review)
    page = client.get(path)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "A letter from your review" in text and "Priya Shah" in text and "Start" in text
    link = db.session.scalar(db.select(PrivateLink).filter_by(purpose="letter"))
    assert link.first_used_at is None and not _events("letter_link_opened")
    # Without Start, the reading page is locked.
    assert client.get("/letter").status_code == 401


def test_start_opens_the_latest_version_with_markup_as_text(client):
    review, iro = held_review()
    issue_letter(review, iro, versions=2, worries=HOSTILE)
    path = letter_link_path(review)
    started = client.post(path, data={}, headers={"Origin": "http://localhost"})
    assert started.status_code == 303 and started.headers["Location"].endswith("/letter")
    assert db.session.scalar(db.select(PrivateLink).filter_by(purpose="letter")).first_used_at is not None
    page = client.get("/letter")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    text = page.get_data(as_text=True)
    assert "Version 2: you are doing well" in text and "Version 1:" not in text
    assert "Version 2. Your IRO (the person who runs your meeting) changed this letter on" in text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; and &lt;b&gt;bold&lt;/b&gt;" in text
    assert "<script>alert" not in text and "<b>bold" not in text
    assert "Download as PDF" in text and 'href="/letter.pdf"' in text
    assert "I need to talk to someone now" in text  # help now
    assert "portal-letter__part" in text and "js/letter-listen.js" in text
    assert len(_events("letter_read")) == 1 and _events("letter_read")[0].link_id is not None


def test_a_post_from_elsewhere_does_not_start(client):
    review, iro = held_review()
    issue_letter(review, iro)
    path = letter_link_path(review)
    response = client.post(path, data={}, headers={"Origin": "https://elsewhere.example"})
    assert response.status_code in (400, 403)
    assert client.get("/letter").status_code == 401


def test_before_the_letter_is_issued_a_kind_page(client):
    review, iro = held_review()
    services.draft(review, iro)  # a draft only: the child sees nothing of it
    db.session.commit()
    client.post(letter_link_path(review), data={})
    page = client.get("/letter")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Your letter is not ready yet" in text
    assert "Download as PDF" not in text
    assert client.get("/letter.pdf").status_code == 303
    assert not _events("letter_read")


def test_a_booklet_link_after_the_meeting_offers_the_letter(client):
    review, iro = held_review()
    path = booklet_link_path(review)
    before = client.get(path).get_data(as_text=True)
    assert "Your review has happened" in before
    assert "When the letter is ready, you will be able to read it here" in before
    assert "Read the letter from your review" not in before
    issue_letter(review, iro)
    after = client.get(path).get_data(as_text=True)
    assert "Read the letter from your review" in after
    assert "When the letter is ready, you will be able to read it here" not in after
    response = client.post(path, data={"offer": "letter"})
    assert response.status_code == 303 and response.headers["Location"].endswith("/letter")
    assert "Version 1: you are doing well" in client.get("/letter").get_data(as_text=True)


def test_booklet_answers_are_not_shown_after_the_meeting(client):
    iro = f.staff("iro", name="Priya Shah")
    child = f.child(iro, preferred_name="Sam")
    review = f.review(child)
    booklet = f.booklet(review)
    f.answer(booklet, "good_news", "My secret words about school")
    path = booklet_link_path(review)
    client.post(path, data={})
    assert "My secret words about school" in client.get("/booklet/mine").get_data(as_text=True)
    review.status, review.held_at = "held", review.meeting_at
    db.session.commit()
    mine = client.get("/booklet/mine").get_data(as_text=True)
    assert "Your review has happened" in mine and "My secret words" not in mine
    download = client.get("/booklet/mine.txt")
    assert "My secret words" not in download.get_data(as_text=True)
    assert "attachment" not in download.headers.get("Content-Disposition", "")


def test_another_purposes_link_cannot_read_the_letter(client):
    review, iro = held_review()
    issue_letter(review, iro)
    link, token = f.link(review, purpose="feedback", audience="parent")
    db.session.commit()
    client.get(f"/l/{token}")
    assert client.get("/letter").status_code == 401


def test_tell_child_queues_one_content_free_message_with_a_letter_link(app):
    review, iro = held_review(name="Ellie")
    issue_letter(review, iro)
    tell_child(review, "sms", "07700 900 123")
    db.session.commit()
    messages = db.session.scalars(db.select(OutboxMessage)).all()
    assert len(messages) == 1
    message = messages[0]
    assert message.channel == "sms" and message.recipient == "+447700900123"
    assert message.template == "letter_ready" and list(message.personalisation) == ["url"]
    assert message.personalisation["url"].startswith("http://localhost/l/")
    assert "Ellie" not in str(message.personalisation)
    link = db.session.scalar(db.select(PrivateLink).filter_by(purpose="letter"))
    assert link.audience == "child" and link.review_id == review.id
    event = _events("letter_ready_sent")[0]
    assert event.detail == "sms" and "7700" not in event.detail


@pytest.mark.parametrize("channel,address", [("email", "not an address"), ("sms", "01632 960 000"),
                                              ("sms", ""), ("post", "1 High Street")])
def test_tell_child_refuses_bad_addresses(app, channel, address):
    review, iro = held_review()
    issue_letter(review, iro)
    with pytest.raises(services.LetterError, match="Enter a valid email address or UK mobile number"):
        tell_child(review, channel, address)
    assert not db.session.scalars(db.select(OutboxMessage)).all()
    assert not db.session.scalars(db.select(PrivateLink).filter_by(purpose="letter")).all()


def test_the_letter_link_lives_400_days_after_the_meeting(app):
    review, _iro = held_review()
    issue_letter_link(review)
    link = db.session.scalar(db.select(PrivateLink).filter_by(purpose="letter"))
    from portal.timeutil import as_utc

    assert as_utc(link.expires_at) - as_utc(review.held_at) == timedelta(days=400)


@pytest.mark.parametrize("how", ["expired", "revoked"])
def test_an_expired_or_stopped_letter_link_reads_nothing(client, how):
    review, iro = held_review()
    issue_letter(review, iro, going_well="You are doing well at school.")
    link, token = f.link(review, purpose="letter", days=-1 if how == "expired" else 30)
    if how == "revoked":
        revoke(link)
    db.session.commit()
    landing = client.get(f"/l/{token}")
    assert landing.status_code == 404
    assert "doing well at school" not in landing.get_data(as_text=True)
    started = client.post(f"/l/{token}", data={}, headers={"Origin": "http://localhost"})
    assert started.status_code == 404
    assert client.get("/letter").status_code == 401 and client.get("/letter.pdf").status_code == 401

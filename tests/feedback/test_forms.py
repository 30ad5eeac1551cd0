"""The three feedback forms as the people who answer them use them: each posted through its link, stored
as typed, stored once, closed after sending, refused kindly when too long, and in Welsh."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

import pytest

from portal.extensions import db
from portal.feedback import questions as forms
from portal.feedback.models import FeedbackAnswer, FeedbackFormVersion, FeedbackInvitation, FeedbackResponse
from portal.feedback.services import week_starting
from portal.safeguarding.models import UrgentConcern
from portal.timeutil import LONDON, today
from tests import factories as f

PRIVACY = "Your answers do not have your name on them."


def held_review(**fields):
    iro = f.staff("iro")
    child = f.child(iro, age=14)
    f.review(child, status="held", number="first",
             meeting_at=datetime.combine(today() - timedelta(days=200), time(10), tzinfo=LONDON),
             held_at=datetime.combine(today() - timedelta(days=200), time(10), tzinfo=LONDON))
    held = datetime.combine(today() - timedelta(days=3), time(10), tzinfo=LONDON)
    return f.review(child, status="held", meeting_at=held, held_at=held, **fields)


def invite(review, group: str, ref: str, audience: str | None = None, days: int = 30):
    audience = audience or {"parent_carer": "parent", "professional": "professional"}[group]
    link, token = f.link(review, purpose="feedback", audience=audience, recipient_ref=ref, days=days)
    invitation = FeedbackInvitation(review_id=review.id, group=group, recipient_ref=ref, link_id=link.id,
                                    channel="email", contact="someone@example.org", returned=False)
    db.session.add(invitation)
    db.session.commit()
    return invitation, f"/l/{token}"


def responses():
    return db.session.scalars(db.select(FeedbackResponse)).all()


def answers_of(response) -> dict:
    return {a.question_key: a.value_choice or a.value_text for a in response.answers}


PARENT_ANSWERS = {"report_48_hours": "no", "other_reports": "yes", "met_iro": "yes", "views_and_questions": "yes",
                  "understand_plan": "not_sure", "well_run": "4",
                  "went_well": "The IRO listened to me and the plan was clear.",
                  "could_be_better": "The report was late, I only saw it on the day."}
PROFESSIONAL_ANSWERS = {"agency": "health", "report_shared": "yes", "report_in_time": "no", "well_chaired": "5",
                        "decisions_clear": "yes", "comments": "Well chaired, clear actions."}


@pytest.mark.parametrize("group, answers", [("parent_carer", PARENT_ANSWERS),
                                            ("professional", PROFESSIONAL_ANSWERS)])
def test_each_adult_form_is_posted_through_its_link_and_stored_as_typed(client, group, answers):
    review = held_review()
    invitation, url = invite(review, group, "person-1")
    page = client.get(url)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and PRIVACY in html
    assert "Send my answers" in html and 'name="csrf_token"' not in html
    # A GET changes nothing and makes no session.
    assert "Set-Cookie" not in page.headers and not responses()
    version = re.search(r'name="form_version" value="(\d+)"', html).group(1)
    sent = client.post(url, data={**answers, "form_version": version})
    assert sent.status_code == 303 and sent.headers["Location"].endswith("/feedback/thanks")
    assert "Thank you" in client.get("/feedback/thanks").get_data(as_text=True)
    [response] = responses()
    assert answers_of(response) == answers
    assert response.review_id == review.id and response.group == group
    assert response.meeting_kind == "second" and response.week_starting == week_starting(today())
    assert response.week_starting.weekday() == 0
    assert response.agency == ("health" if group == "professional" else None)
    assert db.session.get(FeedbackInvitation, invitation.id).returned is True
    comment = next(a for a in response.answers if a.value_text)
    assert comment.sentiment is not None and comment.themes


def test_the_young_person_answers_through_their_own_link_after_the_review(client):
    review = held_review()
    _link, token = f.link(review)
    db.session.commit()
    happened = client.get(f"/l/{token}").get_data(as_text=True)
    assert "Tell us how your review went" in happened
    # The offer starts the child's link session and leads straight to the form.
    started = client.post(f"/l/{token}", data={"offer": "feedback"})
    assert started.status_code == 303 and started.headers["Location"].endswith("/feedback/mine")
    page = client.get("/feedback/mine").get_data(as_text=True)
    assert "Really happy" in page and PRIVACY in page
    assert "Tell us how your review went" in client.get("/my-iro").get_data(as_text=True)
    token_field = f.csrf_token(client, "/feedback/mine")
    data = {"csrf_token": token_field, "how_it_went": "good", "listened": "yes", "said_what_wanted": "not_sure",
            "anything_else": "I chaired it myself 🎉"}
    sent = client.post("/feedback/mine", data=data)
    assert sent.status_code == 303 and sent.headers["Location"].endswith("/feedback/mine/thanks")
    assert "Thank you for telling us" in client.get("/feedback/mine/thanks").get_data(as_text=True)
    [response] = responses()
    assert response.group == "young_person" and answers_of(response)["anything_else"] == "I chaired it myself 🎉"
    invitation = db.session.scalar(db.select(FeedbackInvitation).filter_by(review_id=review.id))
    assert invitation.channel == "child_link" and invitation.recipient_ref == "young-person" and invitation.returned
    # Sent: the offer goes, and the form says so kindly.
    assert "Tell us how your review went" not in client.get("/my-iro").get_data(as_text=True)
    assert "already sent" in client.get("/feedback/mine").get_data(as_text=True)
    assert client.post("/feedback/mine", data=data).status_code == 200
    assert len(responses()) == 1


def test_no_offer_before_the_review_is_held(client):
    iro = f.staff("iro")
    review = f.review(f.child(iro, age=12))
    _link, token = f.link(review)
    db.session.commit()
    assert client.post(f"/l/{token}").status_code == 303
    assert "Tell us how your review went" not in client.get("/my-iro").get_data(as_text=True)
    assert client.get("/feedback/mine").headers["Location"].endswith("/my-iro")


def test_a_double_submit_is_stored_once_and_answered_kindly(client):
    review = held_review()
    _invitation, url = invite(review, "parent_carer", "parent-1")
    first = client.post(url, data={"well_run": "5"})
    second = client.post(url, data={"well_run": "1"})
    assert first.status_code == 303
    assert second.status_code == 200 and "already sent" in second.get_data(as_text=True)
    [response] = responses()
    assert answers_of(response) == {"well_run": "5"}
    # Back to the link afterwards: the form is closed, in plain words.
    closed = client.get(url)
    assert closed.status_code == 410 and "This form is closed" in closed.get_data(as_text=True)


def test_an_unknown_or_expired_link_gets_the_plain_not_found_page(client):
    review = held_review()
    _invitation, url = invite(review, "professional", "pro-1", days=-1)
    for path in (url, "/l/not-a-real-token"):
        page = client.get(path)
        assert page.status_code == 404 and "This link does not work" in page.get_data(as_text=True)
        assert client.post(path, data={"comments": "hello"}).status_code == 404
    assert not responses()


def test_a_10000_character_comment_is_refused_and_kept_on_the_page(client):
    review = held_review()
    invitation, url = invite(review, "parent_carer", "parent-1")
    long_text = "a" * 9990 + " end <b>"
    page = client.post(url, data={"went_well": long_text, "well_run": "3"})
    html = page.get_data(as_text=True)
    assert page.status_code == 400 and "There is a problem" in html
    assert "Your answer can be up to 2,000 characters. You have written 9,998." in html
    assert ("a" * 9990 + " end &lt;b&gt;") in html
    assert 'value="3" checked' in html or re.search(r'value="3"[^>]*checked', html)
    assert not responses() and db.session.get(FeedbackInvitation, invitation.id).returned is False


@pytest.mark.parametrize("text", [
    "=HYPERLINK(\"http://evil.example\")",
    "Diolch 🙏🏽 — شكرا جزيلا للمراجعة",
    "<script>alert(1)</script> & \"quotes\"",
    "שלום\nsecond line",
])
def test_awkward_comments_are_stored_exactly_and_shown_escaped(client, text):
    review = held_review()
    _invitation, url = invite(review, "professional", "pro-1")
    assert client.post(url, data={"comments": text}).status_code == 303
    [response] = responses()
    assert answers_of(response) == {"comments": text}


def test_nul_bytes_are_taken_out_before_storing(client):
    review = held_review()
    _invitation, url = invite(review, "parent_carer", "parent-1")
    assert client.post(url, data={"went_well": "good\x00 meeting"}).status_code == 303
    assert answers_of(responses()[0])["went_well"] == "good meeting"


def test_words_of_harm_in_a_comment_reach_a_person(client):
    review = held_review()
    f.screening_entry("hit me")
    _invitation, url = invite(review, "parent_carer", "parent-1")
    assert client.post(url, data={"could_be_better": "He hit me after the meeting"}).status_code == 303
    answer = db.session.scalar(db.select(FeedbackAnswer).filter_by(question_key="could_be_better"))
    assert answer.urgent
    concern = db.session.scalar(db.select(UrgentConcern).filter_by(source_kind="feedback_answer"))
    assert concern is not None and concern.review_id == review.id


def test_the_form_in_welsh(client):
    review = held_review()
    _invitation, url = invite(review, "parent_carer", "parent-1")
    client.get("/language/cy?next=/")
    html = client.get(url).get_data(as_text=True)
    assert 'lang="cy"' in html and "Ddim yn siŵr" in html
    assert client.post(url, data={"understand_plan": "yes", "went_well": "Roedd y cadeirydd yn gwrando arnaf"}
                       ).status_code == 303
    [response] = responses()
    comment = next(a for a in response.answers if a.question_key == "went_well")
    assert "listened_to" in comment.themes


def test_a_handed_over_device_shows_the_form_locked_and_ends_the_handover_on_thanks(client):
    review = held_review()
    invitation, url = invite(review, "parent_carer", "handover-1")
    with client.session_transaction() as session:
        session["feedback_handover"] = {"link_id": invitation.link_id,
                                        "until": datetime.now().timestamp() + 600}
    html = client.get(url).get_data(as_text=True)
    assert '<p class="govuk-notification-banner__heading">Please fill this in, then hand the device back.</p>' in html
    # No way out of the page: every link stays on it (the skip link), no staff menu, no language switch.
    assert all(href.startswith("#") for href in re.findall(r'<a [^>]*href="([^"]*)"', html))
    assert "Sign out" not in html and "<form" not in html.replace('<form method="post" action="" novalidate>', "")
    sent = client.post(url, data={"well_run": "4"})
    thanks = client.get(sent.headers["Location"]).get_data(as_text=True)
    assert "Thank you. Please hand the device back to the IRO." in thanks
    with client.session_transaction() as session:
        assert "feedback_handover" not in session


def test_each_version_keeps_its_wording(client):
    review = held_review()
    _invitation, url = invite(review, "parent_carer", "parent-1")
    html = client.get(url).get_data(as_text=True)
    old_id = re.search(r'name="form_version" value="(\d+)"', html).group(1)
    questions = forms.built_in_questions("parent_carer")
    questions[0]["prompt"] = {"en": "Did you get the report in time?", "cy": "Gawsoch chi'r adroddiad mewn pryd?"}
    forms.new_version("parent_carer", questions, None)
    db.session.commit()
    assert "Did you get the report in time?" in client.get(url).get_data(as_text=True)
    # A page loaded before the change is stored against the version it showed.
    assert client.post(url, data={"form_version": old_id, "report_48_hours": "yes"}).status_code == 303
    [response] = responses()
    assert response.form_version_id == int(old_id)
    assert db.session.scalar(db.select(db.func.count()).select_from(FeedbackFormVersion)) == 2


def test_awkward_words_are_shown_back_escaped_exactly_as_typed(client):
    review = held_review()
    _invitation, url = invite(review, "parent_carer", "parent-1")
    text = "=cmd|' /C calc'!A0 <script>alert(1)</script> 🙂 مرحبا"
    page = client.post(url, data={"went_well": text, "could_be_better": "x" * 2001}).get_data(as_text=True)
    assert "=cmd|&#39; /C calc&#39;!A0 &lt;script&gt;alert(1)&lt;/script&gt; 🙂 مرحبا" in page
    assert "<script>alert(1)" not in page
    assert "x" * 2001 in page and not responses()


def test_a_new_version_is_checked_and_refused_in_plain_words(app):
    questions = forms.built_in_questions("professional")
    assert [q["key"] for q in questions][0] == "agency" and questions[0]["kind"] == "choice"
    assert all(set(q["prompt"]) == {"en", "cy"} for q in questions)
    cases = [
        ([{**questions[1], "prompt": {"en": "Only English", "cy": " "}}], "English and in Welsh"),
        ([questions[0], {**questions[1], "kind": "essay"}], "must be one of"),
        (questions[1:], "must start with the agency question"),
        ([questions[0], questions[1], questions[1]], "Two questions have the key"),
        ([questions[0], {**questions[1], "comment": True}], "only be analysed as a comment"),
        ([], "at least one question"),
    ]
    for changed, message in cases:
        with pytest.raises(ValueError, match=message):
            forms.new_version("professional", changed, None)
    added = [*questions, {"key": "parking", "kind": "yes_no_not_sure", "prompt": {"en": "Could you park?",
                                                                                  "cy": "Allech chi barcio?"}}]
    version = forms.new_version("professional", added, None)
    assert version.number == 2 and forms.latest_version("professional") is version
    assert forms.current_version("professional") is version
    assert forms.latest_version("young_person") is None

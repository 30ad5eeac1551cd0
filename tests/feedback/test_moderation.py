"""A manager reads the comments, corrects their sentiment and themes, chooses the ones fit to quote (typing
the words to quote, names taken out: nothing is quoted by itself), keeps the themes lexicon, and exports
the figures safely."""

from __future__ import annotations

import csv
import io
import re

import pytest

from portal.audit.models import AuditEvent
from portal.extensions import db
from portal.feedback.models import FeedbackAnswer, FeedbackTheme
from tests import factories as f
from tests.feedback.test_who_sees_what import held_review, respond

RAW = "Mrs Jones the IRO listened to me and to Amira at Oak School."


@pytest.fixture
def manager(app):
    return f.staff("manager", name="Mo Manager")


@pytest.fixture
def comment(app, manager):
    for key, label in (("listened_to", "Listened to"), ("venue", "Venue")):
        db.session.add(FeedbackTheme(key=key, label=label, phrases="listened", active=True, builtin=True))
    review = held_review(f.staff("iro"))
    response = respond(review, "parent_carer", {"report_48_hours": "yes", "went_well": RAW}, sentiment=0.05,
                       themes="venue")
    db.session.commit()
    return next(a for a in response.answers if a.question_key == "went_well")


def post(client, path, data):
    return client.post(path, data={"csrf_token": f.csrf_token(client, path), **data})


def events(action):
    return db.session.scalars(db.select(AuditEvent).filter_by(action=action)).all()


def test_a_manager_corrects_the_sentiment_and_themes(client, manager, comment):
    f.sign_in(client, manager)
    listing = client.get("/feedback/comments").get_data(as_text=True)
    assert RAW in listing and "Neutral" in listing and "Venue" in listing
    path = f"/feedback/comments/{comment.id}"
    page = client.get(path).get_data(as_text=True)
    assert RAW in page and re.search(r'value="neutral"[^>]*checked', page)

    response = post(client, path, {"sentiment": "positive", "themes": ["listened_to"]})
    assert response.status_code == 303
    answer = db.session.get(FeedbackAnswer, comment.id)
    assert (answer.sentiment, answer.sentiment_corrected) == (1.0, True)
    assert (answer.themes, answer.themes_corrected) == ("listened_to", True)
    assert not answer.fit_to_quote and answer.quote is None
    assert events("feedback_comment_corrected")[0].staff_user_id == manager.id

    post(client, path, {"sentiment": "negative"})
    answer = db.session.get(FeedbackAnswer, comment.id)
    assert answer.sentiment == -1.0 and answer.themes is None
    # A theme that is not on the list is refused, and nothing changes.
    assert post(client, path, {"sentiment": "neutral", "themes": ["venue", "not_a_theme"]}).status_code == 200
    assert db.session.get(FeedbackAnswer, comment.id).sentiment == -1.0
    post(client, path, {"sentiment": "neutral", "themes": ["venue"]})
    answer = db.session.get(FeedbackAnswer, comment.id)
    assert answer.sentiment == 0.0 and answer.themes == "venue"
    listing = client.get("/feedback/comments").get_data(as_text=True)
    assert "checked by a manager" in listing


def test_a_quote_is_only_ever_what_the_manager_typed(client, manager, comment):
    f.sign_in(client, manager)
    path = f"/feedback/comments/{comment.id}"
    page = client.get(path).get_data(as_text=True)
    # The words to quote start empty: the comment is never copied in for the manager to wave through.
    textarea = page[page.index('name="quote"'):]
    assert textarea[textarea.index(">") + 1:textarea.index("</textarea>")].strip() == ""

    refused = post(client, path, {"sentiment": "positive", "fit_to_quote": "y", "quote": "   "})
    assert refused.status_code == 200
    assert "Type the words to quote" in refused.get_data(as_text=True)
    assert not db.session.get(FeedbackAnswer, comment.id).fit_to_quote

    edited = "[The IRO] listened to me and to [the child]."
    assert post(client, path, {"sentiment": "positive", "fit_to_quote": "y", "quote": edited}).status_code == 303
    answer = db.session.get(FeedbackAnswer, comment.id)
    assert (answer.fit_to_quote, answer.quote, answer.value_text) == (True, edited, RAW)
    assert edited in client.get("/feedback/comments").get_data(as_text=True)

    # Taking the tick away withdraws the quote.
    post(client, path, {"sentiment": "positive", "quote": edited})
    answer = db.session.get(FeedbackAnswer, comment.id)
    assert (answer.fit_to_quote, answer.quote) == (False, None)


def test_a_refused_quote_keeps_what_was_typed(client, manager, comment):
    f.sign_in(client, manager)
    path = f"/feedback/comments/{comment.id}"
    kept = "Nearly ready quote " + "x" * 20
    page = post(client, path, {"fit_to_quote": "y", "quote": kept}).get_data(as_text=True)
    assert "Choose how the comment reads" in page and kept in page


@pytest.mark.parametrize("text", ["=HYPERLINK(\"http://evil.example\")", "مرحبا بالعالم 😀 <b>bold</b>",
                                  "a" * 10_000])
def test_comments_are_shown_and_exported_exactly_and_safely(client, manager, comment, text):
    comment.value_text = text
    db.session.commit()
    f.sign_in(client, manager)
    escaped = text.replace("<", "&lt;").replace(">", "&gt;").replace('"', "&#34;")
    assert f"<bdi>{escaped}</bdi>" in client.get(f"/feedback/comments/{comment.id}").get_data(as_text=True)
    assert f"<bdi>{escaped}</bdi>" in client.get("/feedback/comments").get_data(as_text=True)
    f.authority().suppression_threshold = 1
    db.session.commit()
    export = client.get("/feedback/export.csv")
    assert export.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(export.get_data(as_text=True).lstrip("\ufeff"))))
    cells = [row[3] for row in rows if row[0] == "Comment"]
    assert cells == [("'" + text) if text.startswith("=") else text]
    assert events("feedback_exported")


def test_a_manager_adds_changes_and_switches_off_a_theme(client, manager, comment):
    f.sign_in(client, manager)
    response = post(client, "/feedback/themes", {"label": "Time of the meeting", "active": "y",
                                                 "phrases": "school time\n  during   school \n\nSchool time\n"})
    assert response.status_code == 303
    theme = db.session.scalar(db.select(FeedbackTheme).filter_by(label="Time of the meeting"))
    assert (theme.key, theme.phrases, theme.active, theme.builtin) == ("time_of_the_meeting", "school time\nduring school",
                                                                        True, False)
    assert "Time of the meeting" in client.get("/feedback/themes").get_data(as_text=True)

    path = f"/feedback/themes/{theme.id}"
    assert "during school" in client.get(path).get_data(as_text=True)
    assert post(client, path, {"label": "Meeting time", "phrases": "after school"}).status_code == 303
    theme = db.session.get(FeedbackTheme, theme.id)
    assert (theme.label, theme.phrases, theme.active) == ("Meeting time", "after school", False)

    refused = post(client, path, {"label": "", "phrases": "kept words"})
    assert refused.status_code == 200 and "Enter the theme" in refused.get_data(as_text=True)
    assert "kept words" in refused.get_data(as_text=True)

    # A second theme with the same name gets its own key.
    post(client, "/feedback/themes", {"label": "Meeting time", "phrases": "", "active": "y"})
    keys = set(db.session.scalars(db.select(FeedbackTheme.key)))
    assert {"time_of_the_meeting", "meeting_time"} <= keys
    assert [e.detail for e in events("feedback_theme_added")] == ["time_of_the_meeting", "meeting_time"]
    assert events("feedback_theme_changed")
    assert client.get("/feedback/themes/99999").status_code == 404


def test_only_a_comment_can_be_checked(client, manager, comment):
    closed = db.session.scalar(db.select(FeedbackAnswer).filter_by(question_key="report_48_hours"))
    f.sign_in(client, manager)
    assert client.get(f"/feedback/comments/{closed.id}").status_code == 404
    assert client.get("/feedback/comments/99999").status_code == 404


def test_the_comments_come_a_page_at_a_time(client, manager, comment):
    review = held_review(f.staff("iro"))
    for number in range(44):
        respond(review, "professional", {"comments": f"Comment number {number:02d}"}, sentiment=0.0)
    db.session.commit()
    f.sign_in(client, manager)
    first = client.get("/feedback/comments").get_data(as_text=True)
    assert "45 comments. Page 1 of 2." in first and first.count("govuk-summary-card__title\"") == 40
    assert "Comment number 43" in first and RAW not in first
    assert 'href="/feedback/comments?page=2"' in first
    second = client.get("/feedback/comments?page=2").get_data(as_text=True)
    assert RAW in second and second.count("govuk-summary-card__title\"") == 5
    professionals = client.get("/feedback/comments?group=professional").get_data(as_text=True)
    assert "44 comments. Page 1 of 2." in professionals and 'page=2&amp;group=professional' in professionals

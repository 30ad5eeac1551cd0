"""The database locked (SQLite) or restarting (PostgreSQL) during a save: the person is told, and their
words are on the page to send again; nothing is half-saved."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy.exc import OperationalError

from portal.booklet.models import BookletAnswer
from portal.extensions import db
from portal.safeguarding.models import ChildMessage
from tests import factories as f
from tests.test_booklet_child import _child, _load, _start
from tests.test_my_iro import message_form
from tests.test_voice import start_booklet


def _fail(*args, **kwargs):
    raise OperationalError("UPDATE booklet_answer ...", {}, Exception("database is locked"))


@pytest.fixture
def database_fails(monkeypatch):
    """Make the next save fail as a locked or restarting database does."""
    def arm(target: str):
        monkeypatch.setattr(target, _fail)
    return arm


def test_a_section_saved_while_the_database_is_down_comes_back_with_the_words(app, client, database_fails):
    review, path = _child(age=13)
    _start(client, path)
    _, hidden = _load(client, "/booklet/good_news")
    database_fails("portal.booklet.answers.save_section")
    response = client.post("/booklet/good_news", data={**hidden, "good_news": "I got a part in the play",
                                                       "action": "next"})
    assert response.status_code == 503
    page = response.get_data(as_text=True)
    assert "Not saved yet: your words are still here" in page
    assert "I got a part in the play" in page and 'name="good_news"' in page
    assert 'name="csrf_token"' in page and "I need to talk to someone now" in page
    assert db.session.scalar(db.select(db.func.count(BookletAnswer.id))) == 0


def test_pressing_try_again_once_the_database_is_back_saves_it(app, client, monkeypatch):
    review, path = _child(age=13)
    _start(client, path)
    _, hidden = _load(client, "/booklet/good_news")
    with monkeypatch.context() as patch:
        patch.setattr("portal.booklet.answers.save_section", _fail)
        kept = client.post("/booklet/good_news", data={**hidden, "good_news": "I got a part in the play",
                                                       "action": "next"}).get_data(as_text=True)
    # The page's own form, as the browser would send it again.
    fields = {html.unescape(n): html.unescape(v) for n, v in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', kept)}
    fields |= {html.unescape(n): html.unescape(v) for n, v in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>([^<]*)</textarea>', kept)}
    assert client.post("/booklet/good_news", data=fields).status_code == 303
    assert db.session.scalar(db.select(BookletAnswer.value_text)) == "I got a part in the play"


def test_a_message_sent_while_the_database_is_down_is_kept_on_screen(app, client, database_fails):
    review = f.review(f.child(f.staff("iro")))
    db.session.commit()
    start_booklet(client, review)
    fields = {**message_form(client), "body": "Please call me tomorrow"}
    database_fails("portal.safeguarding.services.send_child_message")
    response = client.post("/my-iro/message", data=fields)
    assert response.status_code == 503
    assert "Please call me tomorrow" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(ChildMessage.id))) == 0


def test_a_page_read_while_the_database_is_down_says_to_try_again(app, client, monkeypatch):
    f.authority()
    db.session.commit()

    def fail(*args, **kwargs):
        raise OperationalError("SELECT ...", {}, Exception("server closed the connection unexpectedly"))

    monkeypatch.setattr("portal.site.views.render_template", fail)
    response = client.get("/")
    assert response.status_code == 503
    assert "The portal is busy for a moment" in response.get_data(as_text=True)


def _disk_full(*args, **kwargs):
    raise OperationalError("INSERT INTO voice_note ...", {}, Exception("database or disk is full"))


def test_a_recording_sent_when_the_disk_is_full_is_not_kept_and_the_child_is_told(app, client, monkeypatch):
    from portal.booklet.models import VoiceNote
    from tests.test_voice import MP4, child_with_review, upload

    review = child_with_review(f.staff("iro"))
    db.session.commit()
    start_booklet(client, review)
    monkeypatch.setattr("portal.booklet.voice_rules.save_voice_note", _disk_full)
    by_recorder = upload(client, "talk_about", MP4, filename="voice-note.m4a", content_type="audio/mp4", json=True)
    assert by_recorder.status_code == 503
    answer = by_recorder.get_json()
    assert answer["ok"] is False and answer["status"] == "not_saved"
    assert "could not keep your recording" in answer["message"]
    by_form = upload(client, "talk_about", MP4, filename="voice-note.m4a", content_type="audio/mp4")
    assert by_form.status_code == 503
    page = by_form.get_data(as_text=True)
    assert "Your recording was not kept" in page and "record it again" in page
    assert "Not saved yet: your words are still here" not in page
    assert db.session.scalar(db.select(db.func.count(VoiceNote.id))) == 0
    # Room again: the same recording is kept, once.
    monkeypatch.undo()
    assert upload(client, "talk_about", MP4, filename="voice-note.m4a", content_type="audio/mp4",
                  json=True).status_code == 201
    assert db.session.scalar(db.select(db.func.count(VoiceNote.id))) == 1


def test_an_autosave_while_the_database_is_down_answers_in_json_and_keeps_nothing_half_done(app, client,
                                                                                            database_fails):
    review, path = _child(age=13)
    _start(client, path)
    _, hidden = _load(client, "/booklet/good_news")
    database_fails("portal.booklet.answers.save_answer")
    response = client.post("/booklet/answer", json={"question_key": "good_news", "value": "A dog", "version": 0},
                           headers={"X-CSRFToken": hidden["csrf_token"]})
    assert response.status_code == 503 and response.is_json
    assert response.get_json()["status"] == "not_saved" and "words are still here" in response.get_json()["message"]
    assert db.session.scalar(db.select(db.func.count(BookletAnswer.id))) == 0

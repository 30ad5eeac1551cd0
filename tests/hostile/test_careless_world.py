"""What a careless world sends: huge answers, markup and template syntax, emoji and combining letters,
the Back button, a second device, a forwarded link. Nothing acknowledged is lost, duplicated or shown
to the wrong person, and nothing a person typed runs as code."""

from __future__ import annotations

import re
import unicodedata

import pytest
from markupsafe import escape

from portal.booklet.models import BookletAnswer
from portal.extensions import db
from portal.reviews.models import Child
from portal.safeguarding.models import ChildMessage
from tests import factories as f
from tests.test_booklet_child import _answers, _child, _post_section, _start
from tests.test_my_iro import message_form
from tests.test_voice import start_booklet

HOSTILE = ['<script>alert(1)</script>', '{{7*7}}', '{% raw %}x', "'; DROP TABLE child; --", '=HYPERLINK("x")',
           '<img src=x onerror=alert(1)>', '${7*7}', '#{7*7}']


@pytest.mark.parametrize("words", HOSTILE)
def test_markup_and_template_syntax_are_kept_as_text_for_the_child_and_the_iro(app, client, words):
    review, path = _child(age=14)
    _start(client, path)
    assert _post_section(client, "good_news", {"good_news": words}).status_code == 303
    assert _answers(review)["good_news"].value_text == words
    mine = client.get("/booklet/mine").get_data(as_text=True)
    staff = app.test_client()
    f.sign_in(staff, review.iro)
    page = staff.get(f"/reviews/{review.id}/booklet").get_data(as_text=True)
    for html in (mine, page):
        assert "<script>alert(1)" not in html and "<img src=x" not in html
        assert ">49<" not in html
    assert str(escape(words)) in page


def test_a_ten_thousand_character_answer_is_kept_on_screen_not_saved_and_the_rest_saves(app, client):
    review, path = _child(age=14)
    _start(client, path)
    long_text = "I have a lot to say. " * 500
    response = _post_section(client, "next", {"next": long_text, "anything_else": "and this"})
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "can be up to 2,000 characters" in text and long_text.strip()[:200] in text
    answers = _answers(review)
    assert "next" not in answers and answers["anything_else"].value_text == "and this"


def test_a_one_megabyte_answer_is_refused_kindly_not_an_error(app, client):
    review, path = _child(age=14)
    _start(client, path)
    response = _post_section(client, "good_news", {"good_news": "x" * 1_000_000})
    assert response.status_code in (200, 413)
    assert db.session.scalar(db.select(db.func.count(BookletAnswer.id))) == 0


@pytest.mark.parametrize("name", ["Zoë", "Zoe\u0308", "Siân 🦄", "Mỹ Linh", "Ngọc", "👩🏽‍🚀 Aisha"])
def test_names_with_emoji_and_combining_letters_are_kept_whole(app, client, name):
    iro = f.staff("iro")
    db.session.commit()
    f.sign_in(client, iro)
    token = f.csrf_token(client, "/children/new")
    response = client.post("/children/new", data={
        "csrf_token": token, "preferred_name": name, "date_of_birth": ["3", "4", "2014"],
        "came_into_care": ["1", "2", "2024"], "preferred_language": "en"})
    assert response.status_code == 303
    child = db.session.scalar(db.select(Child))
    assert unicodedata.normalize("NFC", child.preferred_name) == unicodedata.normalize("NFC", name)
    assert f"<bdi>{child.preferred_name}</bdi>" in client.get("/children").get_data(as_text=True)


def test_back_after_sending_a_message_and_sending_again_sends_once(app, client):
    review = f.review(f.child(f.staff("iro")))
    db.session.commit()
    start_booklet(client, review)
    fields = {**message_form(client), "body": "Please call me"}
    assert client.post("/my-iro/message", data=fields).status_code == 303
    # Back: the browser shows the form again (the page is never cached) and the child presses Send.
    assert client.get("/my-iro/message").status_code == 200
    client.post("/my-iro/message", data={**message_form(client), "body": "Please call me"})
    assert db.session.scalar(db.select(db.func.count(ChildMessage.id))) == 1


def test_two_devices_and_a_forwarded_link_see_only_this_childs_booklet(app):
    review, path = _child(age=13, name="Kai")
    other, other_path = _child(age=13, name="Ash")
    phone, tablet, stranger = app.test_client(), app.test_client(), app.test_client()
    _start(phone, path)
    _start(tablet, path)
    _post_section(phone, "good_news", {"good_news": "from the phone"})
    _start(stranger, other_path)
    # The tablet sees the phone's words (the same child); the other child's device never does.
    assert "from the phone" in tablet.get("/booklet/good_news").get_data(as_text=True)
    assert "from the phone" not in stranger.get("/booklet/good_news").get_data(as_text=True)
    assert "from the phone" not in stranger.get("/booklet/mine").get_data(as_text=True)


def test_dead_links_of_every_kind_look_the_same(app, client):
    from datetime import timedelta

    from portal.links.services import revoke
    from portal.timeutil import utcnow

    review = f.review(f.child(f.staff("iro")))
    expired, expired_token = f.link(review, days=-1)
    revoked, revoked_token = f.link(review)
    revoke(revoked)
    db.session.commit()
    assert expired.expires_at < utcnow() + timedelta(days=1)
    pages = []
    for token in (expired_token, revoked_token, "guessed-" + "a" * 40, "short-guess"):
        response = client.get(f"/l/{token}")
        assert response.status_code == 404
        # The page may name its own address (the language switcher returns there); nothing else differs.
        page = response.get_data(as_text=True).replace(token, "TOKEN")
        pages.append(re.sub(r'nonce="[^"]+"', "", page))
    assert len(set(pages)) == 1


def test_a_deactivated_iros_open_session_ends_at_their_next_click(app, client):
    iro = f.staff("iro")
    db.session.commit()
    f.sign_in(client, iro)
    assert client.get("/children").status_code == 200
    iro.active = False
    db.session.commit()
    assert client.get("/children").status_code in (302, 401)

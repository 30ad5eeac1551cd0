"""A NUL (or any C0 control character but tab and new line) never reaches the database, anywhere."""

from __future__ import annotations

from portal.booklet.models import BookletAnswer
from portal.extensions import db
from portal.requests import clean_data, clean_text
from portal.safeguarding.models import ChildMessage
from tests import factories as f
from tests.test_booklet_child import _answers, _child, _load, _post_section, _start
from tests.test_my_iro import message_form


def test_clean_text_keeps_tab_and_new_line_only():
    assert clean_text("a\x00b\x01c\td\ne\r\nf\rg\x7fh\x1b[31m") == "abc\td\ne\nf\ngh[31m"
    assert clean_data({"k\x00": ["x\x00", 1, None, {"y": "z\x08"}]}) == {"k": ["x", 1, None, {"y": "z"}]}


def test_a_nul_at_sign_in_is_a_failed_sign_in_not_an_error(app, client):
    user = f.staff("iro")
    db.session.commit()
    token = f.csrf_token(client, "/sign-in")
    response = client.post("/sign-in", data={"csrf_token": token, "email": "iro\x00@example.org",
                                             "password": "x\x00y"})
    # A wrong password, said as one (401), not a server error.
    assert response.status_code == 401
    # And the real password with a stray NUL in the email still signs the right person in.
    token = f.csrf_token(client, "/sign-in")
    good = client.post("/sign-in", data={"csrf_token": token, "email": user.email.replace("@", "\x00@"),
                                         "password": f.PASSWORD})
    assert good.status_code == 303


def test_a_nul_in_a_booklet_answer_keeps_the_whole_section(app, client):
    review, path = _child(age=12)
    _start(client, path)
    response = _post_section(client, "good_news", {"good_news": "I got\x00 a bike\x07 and a dog"})
    assert response.status_code == 303
    assert _answers(review)["good_news"].value_text == "I got a bike and a dog"


def test_a_nul_in_an_autosave_is_dropped(app, client):
    review, path = _child(age=12)
    _start(client, path)
    _, hidden = _load(client, "/booklet/good_news")
    response = client.post("/booklet/answer", json={"question_key": "good_news", "state": "answered",
                                                    "value": "swim\x00ming", "version": 0},
                           headers={"X-CSRFToken": hidden["csrf_token"]})
    assert response.status_code == 200
    assert db.session.scalar(db.select(BookletAnswer.value_text)) == "swimming"


def test_a_nul_in_a_message_to_the_iro_is_dropped(app, client):
    from tests.test_voice import start_booklet

    review = f.review(f.child(f.staff("iro")))
    db.session.commit()
    start_booklet(client, review)
    response = client.post("/my-iro/message", data={**message_form(client), "body": "call\x00 me\x0c please"})
    assert response.status_code == 303
    assert db.session.scalar(db.select(ChildMessage.body)) == "call me please"


def test_a_nul_in_a_query_string_is_harmless(app, client):
    f.authority()
    db.session.commit()
    assert client.get("/s?code=AB%00CD").status_code in (200, 400)

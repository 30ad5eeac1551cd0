"""Three Houses with pictures (4-7/2): the set, the picture kinds, a child tapping through it, the IRO reading it."""

from __future__ import annotations

import html
import json
import re

import pytest
from werkzeug.datastructures import MultiDict

from portal.booklet.houses import (
    GOOD_PICTURES,
    HOUSES,
    PATH,
    THREE_HOUSES_PICTURES,
    URGENT_WORRIES,
    drawn_as_houses,
    template,
)
from portal.booklet.models import Booklet, BookletAnswer
from portal.booklet.questions import CURRENT_SET, QUESTION_SETS, UNSAFE
from portal.booklet.services import issue_booklet_link
from portal.extensions import db
from portal.insights.sections.booklet_answers import catalogue
from portal.pictures import VOCABULARY
from portal.questionnaires.kinds import kind
from portal.safeguarding.models import UrgentConcern
from tests import factories as f

HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')
QS = THREE_HOUSES_PICTURES


# --- The set ------------------------------------------------------------------------------------

def test_new_four_to_seven_booklets_use_the_picture_houses_and_the_first_set_stays():
    assert CURRENT_SET["4-7"] == "4-7/2" and QUESTION_SETS["4-7/2"] is QS
    assert "4-7/1" in QUESTION_SETS and not drawn_as_houses("4-7/1") and drawn_as_houses("4-7/2")
    assert template("4-7/2", "section") == "booklet/house.html"
    assert template("4-11/2", "contents") == "booklet/contents.html"


def test_one_thing_per_screen_and_every_option_has_a_picture():
    assert all(len(section.questions) == 1 for section in QS.sections)
    for question in QS.questions:
        if question.kind in ("pictures", "picture_choice"):
            assert question.options and all(option.picture in VOCABULARY for option in question.options), question.key
    assert all(section.picture in VOCABULARY for section in QS.sections if section.picture)
    assert {section.house for section in QS.sections} - {""} == set(HOUSES)
    keys = [section.key for section in QS.sections]
    assert [k for _stop, _title, _picture, sections in PATH for k in sections] == keys
    assert all(picture in VOCABULARY for _stop, _title, picture, _sections in PATH)


def test_it_can_be_done_by_tapping_alone():
    typed = [q for q in QS.questions if q.is_free_text]
    tapped = [q for q in QS.questions if not q.is_free_text]
    assert {q.key for q in tapped} == {"feeling", "good_things", "worries", "feel_safe", "dreams", "attend", "helper"}
    # Every typed question is optional words beside the pictures (or a name a grown-up can type).
    assert {q.key for q in typed} == {"preferred_name", "good_words", "worry_words", "dream_words"}


def test_not_feeling_safe_stays_urgent_and_so_do_the_worst_worries():
    assert QS.question("feel_safe").urgent_choices == UNSAFE
    assert QS.question("worries").urgent_choices == URGENT_WORRIES == {"not_safe", "hurt"}


def test_the_collated_views_count_the_picture_choices_with_the_same_keys():
    found = {key: (options, versions) for key, _prompt, options, versions in catalogue()}
    assert {"in_person", "not_attending", "not_sure"} <= {k for k, _label in found["attend"][0]}
    assert found["feel_safe"][1].count("4-7") == 1
    assert "feeling" in found and "helper" in found


# --- The kinds ----------------------------------------------------------------------------------

def test_pictures_are_stored_as_checkboxes_in_the_question_order(app):
    question = QS.question("good_things")
    pictures = kind("pictures")
    value = pictures.parse(MultiDict([("good_things", "pets"), ("good_things", "family"), ("good_things", "pets")]),
                           question)
    assert value == '["family", "pets"]' and pictures.column == "text"
    assert pictures.validate(question, value) is None
    assert pictures.validate(question, '["family", "unicorns"]') is not None
    assert pictures.validate(question, "family") is not None
    assert pictures.parse(MultiDict([("good_things", "__tell_iro")]), question) is None
    with app.test_request_context():
        assert pictures.describe(question, value) == "My family, Pets"
    assert pictures.urgent(QS.question("worries"), '["sad", "hurt"]')
    assert not pictures.urgent(QS.question("worries"), '["sad", "angry"]')


def test_a_picture_choice_is_one_choice(app):
    question = QS.question("feel_safe")
    choice = kind("picture_choice")
    assert choice.column == "choice" and choice.parse({"feel_safe": "no"}, question) == "no"
    assert choice.validate(question, "maybe") is not None
    assert choice.urgent(question, "no") and choice.urgent(question, "not_always") and not choice.urgent(question, "yes")
    with app.test_request_context():
        assert choice.describe(question, "yes") == "Yes, I feel safe"


# --- A child tapping through it -----------------------------------------------------------------

def _five_year_old():
    iro = f.staff("iro", name="Priya Shah")
    review = f.review(f.child(iro, age=5, preferred_name="Leo"))
    url, _ = issue_booklet_link(review)
    db.session.commit()
    return iro, review, url.removeprefix("http://localhost")


def _words(text: str) -> str:
    return re.sub(r"<[^>]+>", "", text)


def _start(client, path):
    assert client.post(path, data={"csrf_token": f.csrf_token(client, path)}).status_code == 303


def _load(client, path):
    page = client.get(path)
    assert page.status_code == 200, (path, page.status_code)
    text = page.get_data(as_text=True)
    hidden = {name: html.unescape(value) for name, value in HIDDEN.findall(text)}
    return text, hidden


def _tap(client, section, values):
    _, hidden = _load(client, f"/booklet/{section}")
    data = MultiDict(list(hidden.items()) + [("action", "next")] + values)
    return client.post(f"/booklet/{section}", data=data)


def _answers(review) -> dict[str, BookletAnswer]:
    booklet = db.session.scalar(db.select(Booklet).filter_by(review_id=review.id))
    return {a.question_key: a for a in db.session.scalars(db.select(BookletAnswer).filter_by(booklet_id=booklet.id))}


def test_the_contents_is_a_path_of_houses_not_a_task_list(client):
    _, _, path = _five_year_old()
    _start(client, path)
    text, _ = _load(client, "/booklet")
    assert "govuk-task-list" not in text and "Not started" not in text
    for title in ("Good things", "Worries", "Dreams", "My meeting", "Send to Priya Shah"):
        assert title in _words(text)
    assert text.count("<svg class=\"portal-house-icon ") == 3


def test_a_screen_is_big_picture_tiles_with_labels_and_no_part_numbers(client):
    _, _, path = _five_year_old()
    _start(client, path)
    text, _ = _load(client, "/booklet/good_things")
    assert "Part " not in text and "portal-home--good" in text
    tiles = re.findall(r'<input class="portal-tile__input" type="checkbox" id="[^"]+" name="good_things" value="([^"]+)"',
                       text)
    assert tiles == [option.key for option in GOOD_PICTURES] + ["__skipped", "__tell_iro"]
    images = re.findall(r'<img class="portal-tile__picture" src="(/pictures/[a-z_]+\.svg\?v=[0-9a-f]+)" alt="" '
                        r'width="96" height="96"', text)
    assert len(images) == len(GOOD_PICTURES) + 2  # and the two ways not to answer
    assert 'loading="lazy"' in text
    # Only the pictures this page uses are sent.
    used = set(re.findall(r"/pictures/([a-z_]+)\.svg", text))
    assert used <= {option.picture for option in GOOD_PICTURES} | {"next", "tell_iro", "home"}


def test_a_child_taps_through_every_screen_and_sends(client):
    iro, review, path = _five_year_old()
    _start(client, path)
    taps = [
        ("about_me", []),
        ("feeling", [("feeling", "great")]),
        ("good_things", [("good_things", "family"), ("good_things", "pets"), ("good_things", "play")]),
        ("good_words", []),
        ("worries", [("worries", "scared")]),
        ("feel_safe", [("feel_safe", "yes")]),
        ("worry_words", []),
        ("dreams", [("dreams", "pets"), ("dreams", "holiday")]),
        ("dream_words", []),
        ("my_meeting", [("attend", "in_person")]),
        ("help", [("helper", "carer")]),
    ]
    for number, (section, values) in enumerate(taps):
        response = _tap(client, section, values)
        assert response.status_code == 303, section
        following = taps[number + 1][0] if number + 1 < len(taps) else "sharing"
        assert response.headers["Location"] == f"/booklet/{following}"
    answers = _answers(review)
    assert json.loads(answers["good_things"].value_text) == ["family", "pets", "play"]
    assert answers["good_things"].value_choice is None and answers["good_things"].question_set == "4-7/2"
    assert answers["feeling"].value_choice == "great" and answers["attend"].value_choice == "in_person"
    assert "good_words" not in answers
    assert db.session.scalar(db.select(db.func.count(UrgentConcern.id))) == 0

    text, _ = _load(client, "/booklet/good_words")
    # The house of good things holds what was tapped, named for screen readers.
    assert 'alt="My family"' in text and 'alt="Pets"' in text and "data-house-empty hidden>" in text
    text, hidden = _load(client, "/booklet/check")
    assert "Look at your houses" in text and "Send to Priya Shah" in _words(text)
    for label in ("My family", "Pets", "Playing", "Feeling scared", "A holiday", "My carer", "Really happy"):
        assert label in text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', text).group(1)
    response = client.post("/booklet/send", data={"csrf_token": token, "submit": "send"})
    assert response.headers["Location"] == "/booklet/sent"
    assert db.session.scalar(db.select(Booklet).filter_by(review_id=review.id)).returned_at is not None

    client.get("/booklet/sent")
    f.sign_in(client, iro)
    page = client.get(f"/reviews/{review.id}/booklet").get_data(as_text=True)
    assert "My family, Pets, Playing" in page and "Feeling scared" in page and "A pet, A holiday" in page
    assert "Yes, I feel safe" in page and "My carer" in page


@pytest.mark.parametrize(("section", "values"), [
    ("worries", [("worries", "sad"), ("worries", "hurt")]),
    ("feel_safe", [("feel_safe", "no")]),
])
def test_tapping_a_worrying_picture_reaches_a_person(client, section, values):
    _, review, path = _five_year_old()
    _start(client, path)
    response = _tap(client, section, values)
    assert response.status_code == 303
    concern = db.session.scalar(db.select(UrgentConcern))
    assert concern is not None and concern.review_id == review.id
    assert _answers(review)[values[0][0]].urgent
    text, _ = _load(client, response.headers["Location"])
    assert "Your IRO will be told today" in text


def test_autosave_keeps_every_tapped_picture(client):
    _, review, path = _five_year_old()
    _start(client, path)
    _, hidden = _load(client, "/booklet/dreams")
    headers = {"X-CSRFToken": hidden["csrf_token"]}
    saved = client.post("/booklet/answer", json={"question_key": "dreams", "state": "answered",
                                                 "value": '["wish", "pets"]', "version": 0}, headers=headers)
    assert saved.status_code == 200 and saved.json["status"] == "saved"
    assert json.loads(_answers(review)["dreams"].value_text) == ["pets", "wish"]
    refused = client.post("/booklet/answer", json={"question_key": "dreams", "state": "answered",
                                                   "value": '["pets", "a pony"]', "version": saved.json["version"]},
                          headers=headers)
    assert refused.status_code == 400
    cleared = client.post("/booklet/answer", json={"question_key": "dreams", "state": "answered", "value": None,
                                                   "version": saved.json["version"]}, headers=headers)
    assert cleared.json["status"] == "saved" and "dreams" not in _answers(review)


def test_telling_the_iro_instead_of_tapping(client):
    _, review, path = _five_year_old()
    _start(client, path)
    response = _tap(client, "dreams", [("dreams", "pets"), ("dreams", "__tell_iro")])
    assert response.status_code == 303
    answer = _answers(review)["dreams"]
    assert answer.state == "tell_iro" and answer.value_text is None
    text, _ = _load(client, "/booklet/dreams")
    assert re.search(r'value="__tell_iro" checked', text)


def test_a_picture_not_offered_is_never_saved(client):
    # Only an altered form can send one: like any choice not on the page, the answer is left as it was.
    _, review, path = _five_year_old()
    _start(client, path)
    assert _tap(client, "good_things", [("good_things", "family")]).status_code == 303
    response = _tap(client, "good_things", [("good_things", "pets"), ("good_things", "ponies")])
    assert response.status_code == 303
    assert json.loads(_answers(review)["good_things"].value_text) == ["family"]

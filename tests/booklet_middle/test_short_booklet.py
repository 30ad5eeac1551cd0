"""The 4-11 booklet short and kind (issue 14, part 3), and the same fixes for 12-17 (part 6): the question set,
parts that are Done once the child has been through them, Continue, the folded 'I don't want to answer this',
character counts only near the limit, the progress path and the warm finish."""

from __future__ import annotations

import re

import pytest

from portal import pictures
from portal.booklet import status as parts
from portal.booklet.models import Booklet, PartSeen
from portal.booklet.questions import CURRENT_SET, MIDDLE, QUESTION_SETS, UNSAFE, question_set
from portal.booklet.services import demo_booklet_links
from portal.extensions import db
from portal.questionnaires.navigation import DONE, NOT_STARTED, STARTED
from tests import factories as f
from tests.test_booklet_child import _answers, _booklet, _child, _load, _post_section, _start

SHORT_PARTS = ("about_me", "my_meeting", "how_things_are", "worries", "good_news")


# --- The question set -------------------------------------------------------------------------

def test_the_4_11_booklet_is_short_with_a_picture_on_every_part():
    assert CURRENT_SET["4-11"] == "4-11/2" == MIDDLE.id
    assert "4-11/1" in QUESTION_SETS  # old answers keep their wording
    assert len(MIDDLE.questions) <= 12 and len(MIDDLE.sections) <= 5
    assert tuple(s.key for s in MIDDLE.sections) == SHORT_PARTS
    for section in MIDDLE.sections:
        assert section.picture in pictures.VOCABULARY, section.key
    # Safeguarding and the PN code still read the same keys.
    assert MIDDLE.question("feel_safe").urgent_choices == UNSAFE
    assert MIDDLE.question("worries").voice and MIDDLE.question("worries").is_free_text
    assert {o.key for o in MIDDLE.question("attend").options} == {o.key for o in question_set("12-17/1")
                                                                  .question("attend").options}
    words = " ".join(str(x) for s in MIDDLE.sections for x in (s.title, s.intro or "", *(
        str(q.prompt) + " " + str(q.hint or "") + " " + " ".join(str(o.label) for o in q.options)
        for q in s.questions))).lower()
    for word in ("pronoun", "placement", "contact", "characters", "optional", "iro"):
        assert word not in words, word


def test_a_part_is_done_once_seen_and_started_only_when_autosaved():
    qs = MIDDLE
    about, meeting = qs.section("about_me"), qs.section("my_meeting")
    assert parts.part_status(about, {}, set()) == NOT_STARTED
    assert parts.part_status(about, {"feeling": object()}, set()) == STARTED
    assert parts.part_status(about, {}, {"about_me"}) == DONE
    assert parts.next_part(qs, {}, {"about_me"}) is meeting
    assert parts.next_part(qs, {}, set(SHORT_PARTS)) is None
    steps = parts.progress_path(qs, {}, {"about_me"}, current="my_meeting", sent=False)
    assert [s.key for s in steps] == [*SHORT_PARTS, parts.SEND_STEP]
    assert [s.done for s in steps] == [True, False, False, False, False, False]
    assert [s.current for s in steps] == [False, True, False, False, False, False]


# --- Pages --------------------------------------------------------------------------------------

def test_next_with_empty_boxes_marks_the_part_done_and_continue_goes_on(client):
    review, path = _child(age=9, name="Amira")
    _start(client, path)
    contents = client.get("/booklet").get_data(as_text=True)
    assert 'class="portal-parts"' in contents and "govuk-task-list" not in contents
    assert "Not started" in contents and 'href="/booklet/about_me"' in contents
    # Saved with nothing written: Done, and Continue goes to the next part not yet seen.
    assert _post_section(client, "about_me", {}).headers["Location"] == "/booklet/my_meeting"
    assert _answers(review) == {}
    # An answer saved as the child typed (autosave), the part never saved: Started.
    _, hidden = _load(client, "/booklet/how_things_are")
    client.post("/booklet/answer", json={"question_key": "home", "value": "good", "version": 0},
                headers={"X-CSRFToken": hidden["csrf_token"]})
    contents = client.get("/booklet").get_data(as_text=True)
    assert "About me: done" in contents and "My meeting: not done yet" in contents
    assert re.search(r"How things are</span></a>\s*<span[^>]*>Started</span>", contents)
    assert "Continue" in contents and re.search(r'href="/booklet/my_meeting"[^>]*>\s*Continue', contents)
    for key in SHORT_PARTS[1:]:
        _post_section(client, key, {})
    contents = client.get("/booklet").get_data(as_text=True)
    assert "Check your answers" in contents and "Started" not in contents
    assert db.session.scalar(db.select(db.func.count(PartSeen.id))) == 5


def test_a_part_seen_on_two_devices_is_one_row(app):
    review, path = _child(age=9)
    phone, tablet = app.test_client(), app.test_client()
    _start(phone, path)
    _start(tablet, path)
    _post_section(phone, "worries", {})
    _post_section(tablet, "worries", {})
    assert db.session.scalar(db.select(db.func.count(PartSeen.id))) == 1


def test_the_ways_not_to_answer_are_folded_and_open_once_chosen(client):
    review, path = _child(age=9)
    _start(client, path)
    text, _ = _load(client, "/booklet/my_meeting")
    # One "I don't want to answer this" per question, closed; the alternatives are inside it.
    assert text.count('<details class="govuk-details portal-not-answer">') == 3
    assert text.count("I don&#39;t want to answer this") + text.count("I don't want to answer this") == 3
    folds = re.findall(r'<details class="govuk-details portal-not-answer".*?</details>', text, re.S)
    assert all("Skip this question" in fold for fold in folds)
    assert text.count("Skip this question") == 3
    # A choice's alternatives are radios of the same group as its answers, so one clears the other.
    assert 'name="attend" type="radio" value="__tell_iro"' in folds[0]
    _post_section(client, "my_meeting", {"attend": "__tell_iro", "who_comes__alt": "skipped"})
    answers = _answers(review)
    assert answers["attend"].state == "tell_iro" and answers["who_comes"].state == "skipped"
    text, _ = _load(client, "/booklet/my_meeting")
    assert text.count('<details class="govuk-details portal-not-answer" open>') == 2
    assert re.search(r'name="attend" type="radio" value="__tell_iro" checked', text)


def test_counts_show_only_near_the_limit_and_never_say_characters_to_a_child(client):
    review, path = _child(age=9)
    _start(client, path)
    text, _ = _load(client, "/booklet/good_news")
    assert text.count('data-threshold="75"') == 2
    # Neither the words on the page nor the ones the count's script shows say "characters".
    words = re.sub(r"<[^>]+>", " ", text) + " ".join(re.findall(r'data-i18n[.\w-]*="([^"]*)"', text))
    assert "character" not in words.lower()
    assert "You can write a lot here." in text and 'data-i18n.characters-under-limit.other="Room for' in text


def test_the_teenage_booklet_keeps_its_depth_with_the_same_fixes(client):
    review, path = _child(age=14)
    _start(client, path)
    qs = question_set(CURRENT_SET["12-17"])
    assert len(qs.questions) > 12
    contents = client.get("/booklet").get_data(as_text=True)
    assert "govuk-task-list" in contents and 'class="portal-path"' in contents
    text, _ = _load(client, "/booklet/how_things_are")
    assert 'class="portal-path"' in text and 'aria-current="step"' in text
    assert text.count('<details class="govuk-details portal-not-answer">') == len(qs.section("how_things_are").questions)
    assert 'data-threshold="75"' in text and "Save and continue" in text
    assert _post_section(client, "how_things_are", {}).headers["Location"] == "/booklet/good_news"
    assert "How things are going: done" in client.get("/booklet").get_data(as_text=True)


@pytest.mark.parametrize("named", [True, False], ids=["name-in-booklet", "name-on-record"])
def test_the_finish_thanks_the_child_by_name_and_says_who_reads_it_and_when(client, named):
    review, path = _child(age=9, name="Amira")
    _start(client, path)
    if named:
        _post_section(client, "about_me", {"preferred_name": "Mira"})
    _, hidden = _load(client, "/booklet/check")
    assert client.post("/booklet/send", data={"csrf_token": hidden["csrf_token"]}).status_code == 303
    sent = client.get("/booklet/sent").get_data(as_text=True)
    name = "Mira" if named else "Amira"
    assert re.search(rf"Thank you, <bdi[^>]*>{name}</bdi>\.", sent)
    assert "Priya Shah" in sent and "will read this before your meeting on" in sent
    weekday = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
    assert any(f"meeting on {day}" in sent for day in weekday)
    assert "Send: done" in sent


def test_withdrawing_forgets_the_parts_seen(client):
    review, path = _child(age=9)
    _start(client, path)
    _post_section(client, "about_me", {"preferred_name": "Sam"})
    _, hidden = _load(client, "/booklet/withdraw")
    client.post("/booklet/withdraw", data={"csrf_token": hidden["csrf_token"]})
    assert db.session.scalar(db.select(PartSeen).filter_by(booklet_id=_booklet(review).id)) is None


def test_a_nine_year_old_who_is_not_safe_raises_an_urgent_concern(client):
    review, path = _child(age=9)
    _start(client, path)
    response = _post_section(client, "worries", {"feel_safe": "not_always", "worries": ""})
    assert response.headers["Location"] == "/booklet/good_news"
    assert _answers(review)["feel_safe"].urgent
    after = client.get("/booklet/good_news").get_data(as_text=True)
    assert '<details class="govuk-details portal-help" open>' in after


def test_an_untouched_demo_booklet_moves_to_the_short_questions_and_one_with_answers_keeps_its_own(app):
    iro = f.staff("iro", name="Priya Shah")
    untouched = f.review(f.child(iro, age=9, preferred_name="Maya"))
    answered = f.review(f.child(iro, age=9, preferred_name="Sam"))
    booklets = [Booklet(review=review, version="4-11", question_set="4-11/1") for review in (untouched, answered)]
    db.session.add_all(booklets)
    db.session.flush()
    f.answer(booklets[1], "enjoy", "Football")
    db.session.commit()
    demo_booklet_links([untouched])
    demo_booklet_links([answered])
    assert (booklets[0].question_set, booklets[1].question_set) == ("4-11/2", "4-11/1")

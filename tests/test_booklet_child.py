"""The child's booklet: answering, nothing lost across devices, time-outs and locks, and the child's choices."""

from __future__ import annotations

import html
import re
from datetime import timedelta

from portal.audit.models import AuditEvent
from portal.booklet.models import Booklet, BookletAnswer, SectionSharing, VoiceNote
from portal.booklet.questions import CURRENT_SET
from portal.booklet.services import issue_booklet_link
from portal.extensions import db
from portal.timeutil import utcnow
from tests import factories as f

HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')


def _child(age=9, name="Sam"):
    iro = f.staff("iro", name="Priya Shah")
    review = f.review(f.child(iro, age=age, preferred_name=name))
    url, _ = issue_booklet_link(review)
    db.session.commit()
    return review, url.removeprefix("http://localhost")


def _start(client, path):
    response = client.post(path, data={"csrf_token": f.csrf_token(client, path)})
    assert response.status_code == 303
    return response


def _booklet(review) -> Booklet:
    return db.session.scalar(db.select(Booklet).filter_by(review_id=review.id))


def _answers(review) -> dict[str, BookletAnswer]:
    booklet = _booklet(review)
    return {a.question_key: a for a in db.session.scalars(db.select(BookletAnswer).filter_by(booklet_id=booklet.id))}


def _load(client, path):
    """The page's text and the hidden fields its form carries (versions, csrf token, booklet reference)."""
    page = client.get(path)
    assert page.status_code == 200, page.status_code
    text = page.get_data(as_text=True)
    hidden = {name: html.unescape(value) for name, value in HIDDEN.findall(text)}
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', text)
    if token:
        hidden["csrf_token"] = token.group(1)
    return text, hidden


def _post_section(client, section, answers, hidden=None, action="next"):
    if hidden is None:
        _, hidden = _load(client, f"/booklet/{section}")
    return client.post(f"/booklet/{section}", data={**hidden, **answers, "action": action})


def test_nine_year_old_answers_faces_and_text_and_skips_and_tells_the_iro(client):
    review, path = _child(age=9)
    _start(client, path)
    text, _ = _load(client, "/booklet/how_things_are")
    assert '<svg class="portal-face"' in text and 'aria-hidden="true"' in text
    assert 'id="q-home-text"' in text and "portal-question-text" in text
    response = _post_section(client, "how_things_are", {"home": "good", "school": "__tell_iro"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/booklet/worries"
    response = _post_section(client, "my_meeting", {
        "who_comes": "My nan.\r\nMy dog if he can.", "talk_about__alt": "skipped", "talk_about": ""})
    assert response.headers["Location"] == "/booklet/how_things_are"
    answers = _answers(review)
    assert answers["home"].value_choice == "good" and answers["home"].state == "answered"
    assert answers["home"].question_set == "4-11/2" and answers["home"].section == "how_things_are"
    assert answers["who_comes"].value_text == "My nan.\nMy dog if he can."
    assert answers["school"].state == "tell_iro" and answers["school"].value_choice is None
    assert answers["talk_about"].state == "skipped"
    assert "family_friends" not in answers
    assert _booklet(review).started_at is not None
    contents = client.get("/booklet").get_data(as_text=True)
    # Both parts were saved with Next, so both are done although not every question has an answer.
    assert "Started" not in contents and contents.count("✓ </span>Done") == 2
    assert "Continue" in contents and 'href="/booklet/about_me"' in contents


def test_save_and_go_back_to_the_list(client):
    review, path = _child()
    _start(client, path)
    response = _post_section(client, "about_me", {"preferred_name": "Sammy"}, action="list")
    assert response.headers["Location"] == "/booklet"
    assert _answers(review)["preferred_name"].value_text == "Sammy"


def test_resume_on_another_device_shows_saved_answers(app):
    review, path = _child(age=14)
    phone, laptop = app.test_client(), app.test_client()
    _start(phone, path)
    _post_section(phone, "how_things_are", {"home": "okay", "home_more": "Quiet at home"})
    _start(laptop, path)
    text, hidden = _load(laptop, "/booklet/how_things_are")
    assert "Quiet at home" in text
    assert re.search(r'name="home" type="radio" value="okay" checked', text)
    assert hidden["home__version"] == "1"


def test_a_stale_save_from_another_device_shows_both_and_the_child_chooses(app):
    review, path = _child(age=14)
    phone, laptop = app.test_client(), app.test_client()
    _start(phone, path)
    _start(laptop, path)
    _, phone_hidden = _load(phone, "/booklet/how_things_are")
    _post_section(laptop, "how_things_are", {"home_more": "Written on the laptop"})

    stale = _post_section(phone, "how_things_are", {"home_more": "Written on the phone", "enjoy": "Football"},
                          hidden=phone_hidden)
    text = stale.get_data(as_text=True)
    assert stale.status_code == 200
    assert "What you wrote on this device" in text and "What was saved from another device" in text
    assert "Written on the phone" in text and "Written on the laptop" in text
    answers = _answers(review)
    assert answers["home_more"].value_text == "Written on the laptop"
    assert answers["enjoy"].value_text == "Football"

    hidden = dict(HIDDEN.findall(text))
    assert hidden["home_more__version"] == "1"
    chosen = phone.post("/booklet/how_things_are", data={
        **hidden, "home_more": "Written on the phone", "home_more__choose": "mine", "enjoy": "Football"})
    assert chosen.status_code == 303
    answers = _answers(review)
    assert answers["home_more"].value_text == "Written on the phone"
    assert answers["home_more"].version == 2


def test_choosing_the_other_devices_answer_keeps_it(app):
    review, path = _child()
    phone, laptop = app.test_client(), app.test_client()
    _start(phone, path)
    _start(laptop, path)
    _, phone_hidden = _load(phone, "/booklet/good_news")
    _post_section(laptop, "good_news", {"good_news": "From the laptop"})
    text = _post_section(phone, "good_news", {"good_news": "From the phone"}, hidden=phone_hidden).get_data(as_text=True)
    hidden = dict(HIDDEN.findall(text))
    response = phone.post("/booklet/good_news", data={**hidden, "good_news": "From the phone",
                                                      "good_news__choose": "theirs"})
    assert response.status_code == 303
    assert _answers(review)["good_news"].value_text == "From the laptop"


def test_an_untouched_field_does_not_overwrite_a_newer_answer(app):
    review, path = _child(age=14)
    phone, laptop = app.test_client(), app.test_client()
    _start(phone, path)
    _start(laptop, path)
    _, phone_hidden = _load(phone, "/booklet/about_me")
    _post_section(laptop, "about_me", {"preferred_name": "Sammy"})
    # The phone's page still has the empty name it loaded; the child only changed the pronouns.
    response = _post_section(phone, "about_me", {"preferred_name": "", "pronouns": "he/him"}, hidden=phone_hidden)
    assert response.status_code == 303
    answers = _answers(review)
    assert answers["preferred_name"].value_text == "Sammy"
    assert answers["pronouns"].value_text == "he/him"


def test_json_autosave_saves_and_returns_the_version(client):
    review, path = _child()
    _start(client, path)
    _, hidden = _load(client, "/booklet/good_news")
    headers = {"X-CSRFToken": hidden["csrf_token"]}
    first = client.post("/booklet/answer", json={"question_key": "good_news", "state": "answered",
                                                 "value": "I got a bike", "version": 0}, headers=headers)
    assert first.status_code == 200
    assert first.get_json()["status"] == "saved" and first.get_json()["version"] == 1
    second = client.post("/booklet/answer", json={"question_key": "good_news", "state": "answered",
                                                  "value": "I got a red bike", "version": 1}, headers=headers)
    assert second.get_json()["version"] == 2
    stale = client.post("/booklet/answer", json={"question_key": "good_news", "state": "answered",
                                                 "value": "Old words", "version": 1}, headers=headers)
    assert stale.status_code == 409
    assert stale.get_json()["status"] == "conflict"
    assert stale.get_json()["theirs"]["value"] == "I got a red bike"
    assert _answers(review)["good_news"].value_text == "I got a red bike"
    skipped = client.post("/booklet/answer", json={"question_key": "feel_safe", "state": "answered",
                                                   "value": "__skipped", "version": 0}, headers=headers)
    assert skipped.get_json()["status"] == "saved"
    assert _answers(review)["feel_safe"].state == "skipped"
    without_token = client.post("/booklet/answer", json={"question_key": "good_news", "value": "x", "version": 2})
    assert without_token.status_code == 400
    assert _answers(review)["good_news"].value_text == "I got a red bike"


def test_autosave_without_a_session_says_locked(client, monkeypatch):
    review, path = _child()
    _start(client, path)
    _, hidden = _load(client, "/booklet/good_news")
    # The page sat idle past the lock: the session's token is still good, the child's link is not.
    later = utcnow() + timedelta(minutes=11)
    monkeypatch.setattr("portal.links.session.utcnow", lambda: later)
    response = client.post("/booklet/answer", json={"question_key": "good_news", "state": "answered",
                                                    "value": "x", "version": 0},
                           headers={"X-CSRFToken": hidden["csrf_token"]})
    assert response.status_code == 401
    assert response.get_json()["status"] == "locked"
    assert db.session.scalar(db.select(BookletAnswer)) is None


def test_autosave_without_any_session_saves_nothing(client):
    _child()
    response = client.post("/booklet/answer", json={"question_key": "good_news", "value": "x"})
    # No session at all: the CSRF check answers first.
    assert response.status_code == 400
    assert db.session.scalar(db.select(BookletAnswer)) is None


def test_an_expired_form_comes_back_with_the_words_still_there(app):
    review, path = _child()
    child, other = app.test_client(), app.test_client()
    _start(child, path)
    _, hidden = _load(child, "/booklet/good_news")
    # A token from another session stands for one that timed out: it no longer matches.
    hidden["csrf_token"] = f.csrf_token(other, "/sign-in")
    response = _post_section(child, "good_news", {"good_news": "My words & more"}, hidden=hidden)
    text = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "This page was open a long time, so we did not save it yet." in text
    assert "My words &amp; more" in text
    assert "good_news" not in _answers(review)
    fresh = dict(HIDDEN.findall(text))
    assert fresh["csrf_token"] != hidden["csrf_token"]
    again = child.post("/booklet/good_news", data={**{k: html.unescape(v) for k, v in fresh.items()},
                                                   "good_news": "My words & more"})
    assert again.status_code == 303
    assert _answers(review)["good_news"].value_text == "My words & more"


def test_other_csrf_failures_are_left_to_the_plain_error_page(client):
    response = client.post("/sign-in", data={"email": "x@example.org"}, headers={"Origin": "https://elsewhere.example"})
    assert response.status_code == 400
    assert "This page timed out" in response.get_data(as_text=True)


def test_too_long_text_is_kept_with_a_message_and_the_rest_saves(client):
    review, path = _child(age=14)
    _start(client, path)
    long_text = "a" * 2140
    response = _post_section(client, "how_things_are", {"home": "great", "home_more": long_text})
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert ("Your answer can be up to 2,000 characters. You have written 2,140. "
            "You could shorten it, or tell your IRO the rest.") in text
    assert long_text in text
    answers = _answers(review)
    assert "home_more" not in answers
    assert answers["home"].value_choice == "great"


def test_idle_booklet_locks(client, monkeypatch):
    review, path = _child()
    _start(client, path)
    assert client.get("/booklet").status_code == 200
    later = utcnow() + timedelta(minutes=11)
    monkeypatch.setattr("portal.links.session.utcnow", lambda: later)
    locked = client.get("/booklet")
    assert locked.status_code == 401
    assert "Open your link again" in locked.get_data(as_text=True)


def test_words_posted_after_the_lock_are_saved_after_start(client, monkeypatch):
    review, path = _child()
    _start(client, path)
    _, hidden = _load(client, "/booklet/good_news")
    later = utcnow() + timedelta(minutes=11)
    monkeypatch.setattr("portal.links.session.utcnow", lambda: later)
    locked = _post_section(client, "good_news", {"good_news": "Written before the lock"}, hidden=hidden)
    text = locked.get_data(as_text=True)
    assert locked.status_code == 401
    assert "Open your link again and press Start: what you just wrote will be saved." in text
    # The lock hides answers on a shared phone: the words are not on the locked page.
    assert "Written before the lock" not in text
    assert "good_news" not in _answers(review)
    monkeypatch.undo()
    _start(client, path)
    assert _answers(review)["good_news"].value_text == "Written before the lock"
    assert "We saved what you wrote before" in client.get("/booklet").get_data(as_text=True)


def test_a_draft_is_never_saved_into_another_childs_booklet(client, monkeypatch):
    review, path = _child(name="Sam")
    other_review, other_path = _child(name="Alex")
    _start(client, path)
    _, hidden = _load(client, "/booklet/good_news")
    later = utcnow() + timedelta(minutes=11)
    monkeypatch.setattr("portal.links.session.utcnow", lambda: later)
    _post_section(client, "good_news", {"good_news": "Sam's words"}, hidden=hidden)
    monkeypatch.undo()
    _start(client, other_path)
    assert _answers(other_review) == {}
    assert "We saved what you wrote before" not in client.get("/booklet").get_data(as_text=True)
    assert "Sam's words" not in client.get("/booklet/good_news").get_data(as_text=True)
    # Sam's own Start on this device still saves them.
    _start(client, path)
    assert _answers(review)["good_news"].value_text == "Sam's words"


def test_a_draft_that_conflicts_with_another_device_asks_the_child(app, monkeypatch):
    review, path = _child()
    phone, laptop = app.test_client(), app.test_client()
    _start(phone, path)
    _, hidden = _load(phone, "/booklet/good_news")
    later = utcnow() + timedelta(minutes=11)
    monkeypatch.setattr("portal.links.session.utcnow", lambda: later)
    _post_section(phone, "good_news", {"good_news": "Phone draft"}, hidden=hidden)
    monkeypatch.undo()
    _start(laptop, path)
    _post_section(laptop, "good_news", {"good_news": "Laptop answer"})
    response = _start(phone, path)
    assert response.headers["Location"] == "/booklet/good_news"
    text = phone.get("/booklet/good_news").get_data(as_text=True)
    assert "Phone draft" in text and "Laptop answer" in text
    assert _answers(review)["good_news"].value_text == "Laptop answer"


def test_sharing_defaults_to_the_iro_only(client):
    review, path = _child()
    _start(client, path)
    _post_section(client, "good_news", {"good_news": "A good week"})
    _post_section(client, "worries", {"feel_safe": "yes", "worries": ""})
    text, hidden = _load(client, "/booklet/sharing")
    assert "will see everything you write. You choose if anyone else can." in text
    assert "checked" not in re.sub(r"<input[^>]+type=\"hidden\"[^>]*>", "", text)
    response = client.post("/booklet/sharing", data={"csrf_token": hidden["csrf_token"],
                                                     "share__good_news": "carer"})
    assert response.headers["Location"] == "/booklet/check"
    rows = {r.section: r for r in db.session.scalars(db.select(SectionSharing))}
    assert rows["good_news"].carer and not rows["good_news"].social_worker
    assert "worries" not in rows or not (rows["worries"].carer or rows["worries"].social_worker)
    check = client.get("/booklet/check").get_data(as_text=True)
    assert "Your IRO and your carer" in check and "Only your IRO" in check


def test_check_and_send_to_the_iro(client):
    review, path = _child()
    _start(client, path)
    _post_section(client, "good_news", {"good_news": "I passed my test"})
    text, hidden = _load(client, "/booklet/check")
    assert "I passed my test" in text and "Change" in text
    response = client.post("/booklet/send", data={"csrf_token": hidden["csrf_token"]})
    assert response.headers["Location"] == "/booklet/sent"
    assert _booklet(review).returned_at is not None
    sent = client.get("/booklet/sent").get_data(as_text=True)
    assert "Priya Shah" in sent and "You can still change your answers" in sent
    # Still open to changes until the meeting.
    _post_section(client, "good_news", {"good_news": "I passed my driving test"})
    assert _answers(review)["good_news"].value_text == "I passed my driving test"


def test_download_lists_each_question_and_answer(client):
    review, path = _child(age=14)
    _start(client, path)
    _post_section(client, "how_things_are", {"home": "good", "home_more": "Nice dinners", "enjoy": "",
                                             "enjoy__alt": "tell_iro"})
    response = client.get("/booklet/mine.txt")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/plain; charset=utf-8")
    assert response.headers["Content-Disposition"].startswith("attachment")
    text = response.get_data().decode("utf-8")
    assert "How are things at home?\nHappy" in text
    assert "Tell us more about home, if you want to\nNice dinners" in text
    assert "What do you enjoy doing?\nYou will tell your IRO yourself." in text
    mine = client.get("/booklet/mine").get_data(as_text=True)
    assert "Nice dinners" in mine and "/booklet/mine.txt" in mine


def test_withdraw_deletes_everything_the_child_wrote(client):
    review, path = _child()
    _start(client, path)
    _post_section(client, "good_news", {"good_news": "Secret"})
    booklet = _booklet(review)
    booklet.returned_at = utcnow()
    db.session.add(SectionSharing(booklet_id=booklet.id, section="good_news", carer=True))
    db.session.add(VoiceNote(booklet_id=booklet.id, question_key="good_news", mime_type="audio/webm",
                             size_bytes=3, data=b"abc"))
    db.session.commit()
    text, hidden = _load(client, "/booklet/withdraw")
    assert "This deletes everything you wrote in your booklet." in text
    assert "If you told us you might not be safe, your IRO" in text and "already knows" in text
    response = client.post("/booklet/withdraw", data={"csrf_token": hidden["csrf_token"]})
    assert response.status_code == 303
    booklet = _booklet(review)
    assert db.session.scalar(db.select(BookletAnswer).filter_by(booklet_id=booklet.id)) is None
    assert db.session.scalar(db.select(SectionSharing).filter_by(booklet_id=booklet.id)) is None
    assert db.session.scalar(db.select(VoiceNote).filter_by(booklet_id=booklet.id)) is None
    assert booklet.withdrawn_at is not None and booklet.returned_at is None
    event = db.session.scalar(db.select(AuditEvent).filter_by(action="booklet_withdrawn"))
    assert event is not None and "Secret" not in event.detail


def test_withdraw_is_not_offered_after_the_meeting(client):
    review, path = _child()
    _start(client, path)
    _post_section(client, "good_news", {"good_news": "Kept"})
    review.meeting_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    text, _ = _load(client, "/booklet/withdraw")
    assert "You cannot delete your answers now" in text
    _, hidden = _load(client, "/booklet/check")
    client.post("/booklet/withdraw", data={"csrf_token": hidden["csrf_token"]})
    assert _answers(review)["good_news"].value_text == "Kept"


def test_child_switches_to_the_younger_booklet(client):
    review, path = _child(age=9)
    _start(client, path)
    _post_section(client, "about_me", {"preferred_name": "Sammy"})
    _post_section(client, "how_things_are", {"home": "good"})
    contents = client.get("/booklet").get_data(as_text=True)
    assert "Use the booklet for older or younger children" in contents
    text, hidden = _load(client, "/booklet/version")
    assert "1 answer to a question that is not in that booklet will be deleted" in text
    response = client.post("/booklet/version", data={"csrf_token": hidden["csrf_token"], "version": "4-7"})
    assert response.headers["Location"] == "/booklet"
    booklet = _booklet(review)
    assert (booklet.version, booklet.question_set, booklet.version_chosen_by) == ("4-7", CURRENT_SET["4-7"], "child")
    answers = _answers(review)
    assert set(answers) == {"preferred_name"}
    assert answers["preferred_name"].question_set == "4-11/2"
    house = client.get("/booklet/good_things")
    assert house.status_code == 200 and "My house of good things" in house.get_data(as_text=True)


def test_words_typed_where_the_younger_booklet_taps_pictures_are_not_carried_over(client):
    """4-11's 'worries' is typed; Three Houses' 'worries' is answered by tapping pictures. Switching keeps the
    answers each version asks alike (the name, will you come) and counts the typed worries among those deleted."""
    review, path = _child(age=9)
    _start(client, path)
    _post_section(client, "about_me", {"preferred_name": "Sammy"})
    _post_section(client, "my_meeting", {"attend": "in_person"})
    _post_section(client, "worries", {"worries": "I worry about school"})
    text, hidden = _load(client, "/booklet/version")
    assert "1 answer to a question that is not in that booklet will be deleted" in text
    client.post("/booklet/version", data={"csrf_token": hidden["csrf_token"], "version": "4-7"})
    answers = _answers(review)
    assert set(answers) == {"preferred_name", "attend"}
    assert answers["attend"].value_choice == "in_person"
    worries = client.get("/booklet/worries")
    assert worries.status_code == 200 and "I worry about school" not in worries.get_data(as_text=True)


def test_only_the_versions_on_offer_can_be_chosen(client):
    review, path = _child(age=6)
    _start(client, path)
    text, hidden = _load(client, "/booklet/version")
    assert "Ages 4 to 11" in text and "Ages 12 to 17" not in text
    client.post("/booklet/version", data={"csrf_token": hidden["csrf_token"], "version": "12-17"})
    assert _booklet(review).version == "4-7"


def test_the_teenage_booklet_has_no_dreams(client):
    review, path = _child(age=14)
    _start(client, path)
    contents = client.get("/booklet").get_data(as_text=True)
    assert "Ages 12 to 17" in contents and "dreams" not in contents
    assert client.get("/booklet/dreams").status_code == 404


def test_after_the_review_the_booklet_pages_say_so(client):
    review, path = _child()
    _start(client, path)
    review.status = "held"
    db.session.commit()
    assert "Your review has happened" in client.get("/booklet/good_news").get_data(as_text=True)


def test_a_child_who_says_they_are_not_safe_is_shown_who_to_call_now(client):
    review, path = _child(age=12)
    _start(client, path)
    before = client.get("/booklet/worries").get_data(as_text=True)
    assert '<details class="govuk-details portal-help" open>' not in before
    response = _post_section(client, "worries", {"feel_safe": "no"})
    assert response.status_code == 303
    after = client.get(response.headers["Location"]).get_data(as_text=True)
    assert '<details class="govuk-details portal-help" open>' in after
    assert "Your IRO will be told today" in after and "999" in after and "0800 1111" in after
    assert _answers(review)["feel_safe"].urgent
    # Only once: the page after that is calm again.
    again = client.get(response.headers["Location"]).get_data(as_text=True)
    assert '<details class="govuk-details portal-help" open>' not in again


def test_autosave_of_a_worrying_answer_asks_the_page_to_open_help(client):
    review, path = _child(age=12)
    _start(client, path)
    _, hidden = _load(client, "/booklet/worries")
    response = client.post("/booklet/answer", json={"question_key": "feel_safe", "state": "answered",
                                                    "value": "not_always", "version": 0},
                           headers={"X-CSRFToken": hidden["csrf_token"]})
    assert response.get_json()["help_now"] is True
    calm = client.post("/booklet/answer", json={"question_key": "enjoy", "state": "answered",
                                                "value": "football", "version": 0},
                       headers={"X-CSRFToken": hidden["csrf_token"]})
    assert calm.get_json()["help_now"] is False

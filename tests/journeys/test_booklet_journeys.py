"""Children filling in the My Review booklet on a phone, and their IRO reading it: the issue's 'Must show'."""

from __future__ import annotations

import re
import time
import urllib.request

import pytest
from playwright.sync_api import expect

from portal.extensions import db
from tests.journeys.conftest import IRO, Journey

PAGE_TOUR = ("/booklet", "/booklet/sharing", "/booklet/check", "/booklet/mine", "/booklet/withdraw", "/my-iro")


# ---------------------------------------------------------------- helpers


def start(journey: Journey, link) -> None:
    """Open the private link and press Start, as the child does."""
    journey.goto(link.url)
    expect(journey.page.get_by_role("heading", level=1)).to_have_text("Your My Review booklet")
    journey.press("Start", exact=True)
    # The contents page: each age's booklet has its own heading (Three Houses shows the houses).
    assert journey.heading() in ("My Review booklet", "My Review", "My houses")


def _settled(journey: Journey, control) -> None:
    """With JavaScript on, wait until the answer has saved itself ("Saved" by the question), as a child
    would see before moving on."""
    if journey.js:
        block = journey.page.locator("[data-question]").filter(has=control)
        expect(block.get_by_text("Saved", exact=True)).to_be_visible(timeout=10_000)


def answer_text(journey: Journey, prompt: str, words: str, *, wait: bool = True) -> None:
    field = journey.page.get_by_label(prompt, exact=True)
    field.fill(words)
    if wait and journey.js:
        field.blur()
        _settled(journey, field)


def answer_choice(journey: Journey, prompt: str, option: str) -> None:
    """Tap one of a question's options (faces carry a picture, so match the radio's accessible name)."""
    radio = journey.page.get_by_role("group", name=prompt, exact=True).get_by_role("radio", name=option, exact=True)
    radio.check()
    _settled(journey, radio)


def rather_not(journey: Journey, prompt: str, choice: str) -> None:
    """'Skip this question' or 'I'd rather tell my IRO myself' under a written question."""
    group = journey.page.get_by_role("group", name=re.compile(rf"^If you do not want to answer\s*:\s*{re.escape(prompt)}$"))
    box = group.get_by_role("checkbox", name=choice, exact=True)
    box.check()
    _settled(journey, box)


def save_and_continue(journey: Journey, expected_heading: str | None = None) -> None:
    journey.press("Save and continue", exact=True)
    if expected_heading is not None:
        assert journey.heading() == expected_heading


def answers(server, review_id: int) -> dict[str, tuple]:
    """The stored answers of a review's booklet: key -> (state, choice, text)."""
    from portal.booklet.models import Booklet, BookletAnswer

    def read():
        booklet = db.session.scalar(db.select(Booklet).filter_by(review_id=review_id))
        rows = db.session.scalars(db.select(BookletAnswer).filter_by(booklet_id=booklet.id)).all()
        return {row.question_key: (row.state, row.value_choice, row.value_text) for row in rows}

    return server.run(read)


def booklet_record(server, review_id: int) -> dict:
    from portal.booklet.models import Booklet

    def read():
        booklet = db.session.scalar(db.select(Booklet).filter_by(review_id=review_id))
        return {"returned_at": booklet.returned_at, "withdrawn_at": booklet.withdrawn_at, "version": booklet.version}

    return server.run(read)


# ---------------------------------------------------------------- the journeys
# The five-year-old's Three Houses and the nine-year-old's booklet have their own files:
# test_houses_journey.py and test_booklet_middle_journey.py.


def test_a_fifteen_year_old_stops_halfway_and_finishes_on_another_device(live_server, open_browser, js_enabled):
    link = live_server.booklet_link(age=15, name="Jordan")
    phone = open_browser(js=js_enabled)
    start(phone, link)
    expect(phone.page.get_by_text("Ages 12 to 17")).to_be_visible()
    phone.press("Start", exact=True)
    answer_text(phone, "What name do you like to be called?", "Jordan")
    answer_text(phone, "What pronouns should people use for you?", "they/them")
    save_and_continue(phone, "My meeting")
    answer_choice(phone, "Would you like to chair your meeting, or chair it with your IRO?",
                  "I would like to chair it with my IRO")
    answer_text(phone, "What do you want to talk about?", "Moving to college")
    phone.press("Save and go back to the list", exact=True)
    expect(phone.page.get_by_text("Your answers are saved.")).to_be_visible()
    phone.page.context.close()  # the phone's battery dies

    laptop = open_browser(js=js_enabled)
    start(laptop, link)
    # The booklet knows they began: it offers to carry on, at the first part not yet saved (both saved parts
    # are Done, whatever was left empty in them).
    laptop.follow("Continue", exact=True)
    assert laptop.heading() == "How things are going"
    laptop.goto("/booklet/about_me")
    assert laptop.page.get_by_label("What name do you like to be called?", exact=True).input_value() == "Jordan"
    assert laptop.page.get_by_label("What pronouns should people use for you?", exact=True).input_value() == "they/them"
    laptop.goto("/booklet/my_meeting")
    chair = laptop.page.get_by_role("group", name="Would you like to chair your meeting, or chair it with your IRO?",
                                    exact=True)
    expect(chair.get_by_role("radio", name="I would like to chair it with my IRO", exact=True)).to_be_checked()
    laptop.goto("/booklet/how_things_are")
    answer_choice(laptop, "How are things at school, college or work?", "Happy")
    for heading in ("Good news", "Worries", "Help", "What I want to happen next", "Who can see my answers",
                    "Check your answers"):
        save_and_continue(laptop, heading)
    main = laptop.page.get_by_role("main")
    expect(main.get_by_text("Moving to college", exact=True)).to_be_visible()
    expect(main.get_by_text("I would like to chair it with my IRO", exact=True)).to_be_visible()
    laptop.press("Send to my IRO", exact=True)
    expect(laptop.page.get_by_role("heading", name="Your booklet is sent")).to_be_visible()
    assert booklet_record(live_server, link.review_id)["returned_at"] is not None
    assert answers(live_server, link.review_id)["talk_about"] == ("answered", None, "Moving to college")


def test_a_child_withdraws_and_their_answers_are_gone(live_server, open_browser, js_enabled):
    link = live_server.booklet_link(age=13, name="Kai")
    child = open_browser(js=js_enabled)
    start(child, link)
    child.press("Start", exact=True)
    answer_text(child, "Which words do you want people to use about your life?", "home, not placement")
    save_and_continue(child, "My meeting")
    assert answers(live_server, link.review_id)

    child.follow("My answers: see, download or delete them", exact=True)
    assert child.heading() == "My answers"
    expect(child.page.get_by_text("home, not placement", exact=True)).to_be_visible()
    child.follow("Delete everything I wrote", exact=True)
    assert child.heading() == "Delete everything you wrote?"
    child.press("Yes, delete everything I wrote", exact=True)
    assert child.heading() == "Everything you wrote is deleted"
    child.follow("My answers: see, download or delete them", exact=True)
    expect(child.page.get_by_text("You have not answered any questions yet.")).to_be_visible()
    expect(child.page.get_by_text("home, not placement")).to_have_count(0)

    assert answers(live_server, link.review_id) == {}
    assert booklet_record(live_server, link.review_id)["withdrawn_at"] is not None

    iro = open_browser(js=js_enabled)
    iro.sign_in(*IRO)
    iro.goto(f"/reviews/{link.review_id}/booklet")
    expect(iro.page.get_by_text("The child withdrew what they wrote.")).to_be_visible()
    expect(iro.page.get_by_text("home, not placement")).to_have_count(0)


def test_a_link_scanner_does_not_use_up_the_link(live_server, open_browser):
    link = live_server.booklet_link(age=14, name="Sky")
    # An email scanner or a messaging app's preview fetches the link without a browser or cookies.
    with urllib.request.urlopen(link.url, timeout=10) as response:
        assert response.status == 200
    head = urllib.request.Request(link.url, method="HEAD")
    with urllib.request.urlopen(head, timeout=10) as response:
        assert response.status == 200
    child = open_browser()
    preview = child.page.request.get(link.url)
    assert preview.ok
    assert live_server.link_record(link.token).first_used_at is None

    start(child, link)
    assert live_server.link_record(link.token).first_used_at is not None


def test_a_page_left_open_past_the_form_time_limit_keeps_the_childs_words(make_live_server, open_browser):
    server = make_live_server(WTF_CSRF_TIME_LIMIT=2)
    link = server.booklet_link(age=12, name="Ash")
    child = open_browser(js=False, server=server)
    start(child, link)
    child.press("Start", exact=True)
    words = "I want to be called Ash and I have a lot to say about my meeting"
    answer_text(child, "Which words do you want people to use about your life?", words)
    time.sleep(3)  # the form's security token runs out while the child is thinking
    child.press("Save and continue", exact=True)
    assert child.heading() == "About me"
    expect(child.page.get_by_text("This page was open a long time, so we did not save it yet.")).to_be_visible()
    assert child.page.get_by_label("Which words do you want people to use about your life?",
                                   exact=True).input_value() == words
    save_and_continue(child, "My meeting")
    assert answers(server, link.review_id)["words"] == ("answered", None, words)


def test_two_devices_editing_one_answer_let_the_child_choose(live_server, open_browser, js_enabled):
    link = live_server.booklet_link(age=16, name="Remi")
    prompt = "What has gone well since your last review?"
    phone, tablet = open_browser(js=js_enabled), open_browser(js=js_enabled)
    for device in (phone, tablet):
        start(device, link)
        device.goto("/booklet/good_news")
        assert device.heading() == "Good news"

    answer_text(phone, prompt, "I passed my driving theory test")
    save_and_continue(phone, "Worries")

    answer_text(tablet, prompt, "I got a weekend job", wait=False)
    tablet.page.get_by_label(prompt, exact=True).blur()
    if js_enabled:
        # Saving as they type finds the newer answer and says so, instead of overwriting it.
        expect(tablet.page.get_by_text("This answer was changed on another device.")).to_be_visible()
    tablet.press("Save and continue", exact=True)
    assert tablet.heading() == "Good news"
    expect(tablet.page.get_by_text("Some answers were changed on another phone or computer.")).to_be_visible()
    main = tablet.page.get_by_role("main")
    expect(main.get_by_text("I passed my driving theory test", exact=True)).to_be_visible()
    expect(main.get_by_text("I got a weekend job", exact=True).first).to_be_visible()
    assert answers(live_server, link.review_id)["good_news"][2] == "I passed my driving theory test"

    tablet.page.get_by_role("radio", name="What I wrote on this device (you can change it below)").check()
    save_and_continue(tablet, "Worries")
    assert answers(live_server, link.review_id)["good_news"] == ("answered", None, "I got a weekend job")


def test_an_urgent_answer_reaches_the_outbox_and_the_iros_list(live_server, open_browser, js_enabled):
    name = "Urgent js" if js_enabled else "Urgent no-js"
    link = live_server.booklet_link(age=14, name=name)
    child = open_browser(js=js_enabled)
    start(child, link)
    child.goto("/booklet/worries")
    secret = "my private words about home"
    answer_choice(child, "Do you feel safe where you live?", "No, I do not feel safe")
    answer_text(child, "Is anything worrying you, or is anything not going well?", secret)
    save_and_continue(child, "Help")
    # Who to call now is on every booklet page.
    expect(child.page.get_by_text("I need to talk to someone now")).to_be_visible()

    iro = open_browser(js=js_enabled)
    iro.sign_in(*IRO)
    iro.goto("/outbox")
    notice = iro.page.get_by_role("listitem").filter(has_text="has written something that may need attention")
    expect(notice.first).to_be_visible()
    outbox_text = iro.text()
    assert secret not in outbox_text and "do not feel safe" not in outbox_text

    iro.goto("/urgent")
    entry = iro.page.locator("section").filter(has=iro.page.get_by_role("link", name=name, exact=True))
    expect(entry).to_contain_text("The child said they do not always feel safe.")
    iro.follow(name, exact=True)
    assert iro.heading() == f"{name}'s booklet"
    headings = iro.page.get_by_role("heading", level=2).all_inner_texts()
    assert headings[0] == "Urgent: read this first", headings
    urgent = iro.page.locator("#urgent")
    expect(urgent).to_contain_text("Do you feel safe where you live?")
    iro.fill("What have you done about it?", "Phoned the child and told their social worker")
    iro.press("Acknowledge", exact=True)
    expect(iro.page.get_by_text("Acknowledged. Thank you.")).to_be_visible()
    expect(iro.page.get_by_role("heading", name="Urgent: read this first")).to_have_count(0)
    iro.goto("/urgent")
    expect(iro.page.get_by_role("link", name=name, exact=True)).to_have_count(0)


def test_answers_save_as_the_child_types(live_server, open_browser):
    link = live_server.booklet_link(age=10, name="Ollie")
    child = open_browser(js=True)
    start(child, link)
    child.goto("/booklet/good_news")
    field = child.page.get_by_label("What has gone well for you?", exact=True)
    field.press_sequentially("I made a new friend")
    # No button pressed: the answer saves by itself and says so.
    expect(child.page.locator("#q-good_news-saved")).to_have_text("Saved", timeout=10_000)
    assert answers(live_server, link.review_id)["good_news"] == ("answered", None, "I made a new friend")
    child.page.reload()
    child.check()
    assert child.page.get_by_label("What has gone well for you?",
                                   exact=True).input_value() == "I made a new friend"


def test_a_lost_connection_keeps_the_words_and_says_they_are_not_saved_yet(live_server, open_browser):
    link = live_server.booklet_link(age=13, name="Rae")
    child = open_browser(js=True)
    start(child, link)
    child.goto("/booklet/good_news")
    field = child.page.get_by_label("What has gone well since your last review?", exact=True)
    child.page.context.set_offline(True)
    field.press_sequentially("I passed my swimming test")
    field.blur()
    expect(child.page.locator("#q-good_news-saved")).to_contain_text("Not saved yet", timeout=10_000)
    assert "good_news" not in answers(live_server, link.review_id)
    # Back on the network, the words are still there and the button saves them.
    child.page.context.set_offline(False)
    assert field.input_value() == "I passed my swimming test"
    save_and_continue(child)
    assert answers(live_server, link.review_id)["good_news"] == ("answered", None, "I passed my swimming test")


SPEECH_STUB = """
window.__spoken = [];
const voices = [{lang: 'en-GB', name: 'x', default: true, localService: true, voiceURI: 'x'}];
Object.defineProperty(window, 'speechSynthesis', {configurable: true, value: {
  getVoices: () => voices, speak: (u) => { window.__spoken.push(u.text); setTimeout(() => u.onend && u.onend(), 1) },
  cancel: () => {},
  addEventListener: () => {}, removeEventListener: () => {}, speaking: false, pending: false, paused: false,
}});
window.SpeechSynthesisUtterance = class { constructor (text) { this.text = text; this.lang = ''; this.voice = null }
  addEventListener (name, f) { if (name === 'end') this.onend = f } };
"""


def test_listen_reads_the_question_aloud_when_the_phone_has_a_voice(live_server, open_browser):
    link = live_server.booklet_link(age=6, name="Pip")
    child = open_browser(js=True)
    child.page.add_init_script(SPEECH_STUB)
    start(child, link)
    child.goto("/booklet/good_things")
    listen = child.page.get_by_role("button", name="Listen")
    expect(listen.first).to_be_visible()
    listen.first.click()
    # Listen reads the whole page (tests/journeys/test_listen_journey.py has the details), its heading too.
    heading = child.page.locator("h1").first.inner_text().strip()
    deadline = time.monotonic() + 10
    while heading not in child.page.evaluate("window.__spoken") and time.monotonic() < deadline:
        time.sleep(0.05)
    assert heading in child.page.evaluate("window.__spoken")


def test_listen_buttons_are_hidden_without_a_voice(live_server, open_browser):
    link = live_server.booklet_link(age=6, name="Bea")
    child = open_browser(js=True)  # headless Chromium has no voices at all
    # and, as on a site that is not https, no way to hash texts for the portal's own audio
    child.page.add_init_script("Object.defineProperty(window, 'isSecureContext', {value: false})")
    start(child, link)
    child.goto("/booklet/good_things")
    expect(child.page.get_by_role("heading", level=1)).to_have_text("My house of good things")
    expect(child.page.get_by_role("checkbox", name="My family", exact=True)).to_be_visible()
    expect(child.page.get_by_role("button", name="Listen")).to_have_count(0)


@pytest.mark.parametrize("age", [5, 9, 15], ids=["three-houses", "4-11", "12-17"])
def test_every_booklet_page_passes_axe_in_english_and_welsh(live_server, open_browser, js_enabled, age):
    """Axe runs on each page a journey reaches; this tour makes sure every booklet page is reached,
    in both languages, and fits a phone."""
    from portal.booklet.questions import CURRENT_SET, question_set
    from portal.booklet.services import version_for_age

    link = live_server.booklet_link(age=age, name="Tour")
    sections = [s.key for s in question_set(CURRENT_SET[version_for_age(age)]).sections]
    child = open_browser(js=js_enabled)
    child.goto("/booklet")  # before Start: the kind 'open your link again' page
    assert child.heading() == "Open your link again"
    child.goto("/l/not-a-real-link")
    start(child, link)
    paths = list(PAGE_TOUR) + [f"/booklet/{key}" for key in sections]
    for language in ("en", "cy"):
        if language == "cy":
            child.welsh()
            assert child.page.locator("html").get_attribute("lang") == "cy"
        for path in paths:
            response = child.goto(path)
            assert response.status == 200, f"{path} answered {response.status}"
            if js_enabled and language == "en":
                child.no_horizontal_scroll()
    child.goto(link.url)  # the landing page, in Welsh
    child.english()
    assert child.page.locator("html").get_attribute("lang") == "en"

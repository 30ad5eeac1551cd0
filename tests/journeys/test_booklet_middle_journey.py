"""The 4-11 booklet short and kind, and 12-17 still complete (issue 14, parts 3 and 6): a 9-year-old finishes
in at most 20 taps at 375 px and 320 px, with JavaScript on and off, axe on every page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from portal.extensions import db
from tests.journeys.conftest import Journey

MOST_TAPS = 20
# The parts of the 4-11 booklet, in order, by their headings.
PARTS = ("About me", "My meeting", "How things are", "Worries and feeling safe", "Good news and wishes")


class Taps:
    """Every click or tap the child makes on the page: Start, choices, boxes tapped to type in, Next, Send."""

    def __init__(self, journey: Journey, width: int) -> None:
        self.journey, self.width, self.count = journey, width, 0

    def _fits(self) -> None:
        width = self.journey.page.evaluate("document.documentElement.scrollWidth")
        assert width <= self.width, f"{self.journey.page.url} is {width}px wide at {self.width}px"

    def press(self, name: str) -> None:
        self.count += 1
        self.journey.press(name, exact=True)
        self._fits()

    def choose(self, prompt: str, option: str) -> None:
        self.count += 1
        radio = self.journey.page.get_by_role("group", name=prompt, exact=True).get_by_role(
            "radio", name=option, exact=True)
        radio.check()
        self._settled(radio)

    def write(self, prompt: str, words: str) -> None:
        self.count += 1  # the tap into the box; typing is not tapping
        box = self.journey.page.get_by_label(prompt, exact=True)
        box.fill(words)
        if self.journey.js:
            box.blur()
            self._settled(box)

    def rather_not(self, key: str, choice: str) -> None:
        """Open the question's one small "I don't want to answer this", then choose."""
        block = self.journey.page.locator(f"#question-{key}")
        self.count += 1
        block.locator("summary").click()
        self.count += 1
        block.get_by_label(choice, exact=True).check()
        self._saved(block)

    def _settled(self, control) -> None:
        self._saved(self.journey.page.locator("[data-question]").filter(has=control))

    def _saved(self, block) -> None:
        if self.journey.js:
            expect(block.get_by_text("Saved", exact=True)).to_be_visible(timeout=10_000)


def _stored(server, review_id: int) -> tuple[dict, set[str], bool]:
    from portal.booklet.models import Booklet, BookletAnswer, PartSeen

    def read():
        booklet = db.session.scalar(db.select(Booklet).filter_by(review_id=review_id))
        rows = db.session.scalars(db.select(BookletAnswer).filter_by(booklet_id=booklet.id)).all()
        seen = set(db.session.scalars(db.select(PartSeen.section).filter_by(booklet_id=booklet.id)))
        return ({row.question_key: (row.state, row.value_choice, row.value_text) for row in rows}, seen,
                booklet.returned_at is not None)

    return server.run(read)


@pytest.mark.parametrize("width", [375, 320])
def test_a_nine_year_old_finishes_in_at_most_twenty_taps(live_server, open_browser, js_enabled, width):
    link = live_server.booklet_link(age=9, name="Amira")
    child = open_browser(js=js_enabled)
    child.page.set_viewport_size({"width": width, "height": 740})
    taps = Taps(child, width)
    child.goto(link.url)
    taps.press("Start")
    assert child.heading() == "My Review booklet"
    path = child.page.locator(".portal-path__steps")
    expect(path.get_by_role("listitem")).to_have_count(len(PARTS) + 1)
    expect(path).to_contain_text("About me: not done yet")
    taps.press("Start")

    assert child.heading() == PARTS[0]
    expect(child.page.locator(".portal-part-head img")).to_have_attribute("alt", "")
    # The ways not to answer are folded away: nothing to read past but the question.
    expect(child.page.get_by_text("Skip this question").first).to_be_hidden()
    taps.write("What do you like to be called?", "Amira")
    taps.choose("How are you feeling?", "Really happy")
    if width == 375 and js_enabled:
        child.screenshot("booklet-4-11-part-375")
    taps.press("Next")

    assert child.heading() == PARTS[1]
    expect(child.page.locator(".portal-path__steps")).to_contain_text("About me: done")
    taps.choose("Will you come to your meeting?", "Yes, I will come")
    taps.rather_not("talk_about", "I'd rather tell my IRO myself")
    taps.press("Next")

    assert child.heading() == PARTS[2]
    taps.choose("How are things at home?", "Happy")
    taps.choose("How are things at school?", "Okay")
    taps.choose("How is family time and seeing your friends?", "Really happy")
    taps.press("Next")

    assert child.heading() == PARTS[3]
    taps.choose("Do you feel safe where you live?", "Yes, I feel safe")
    taps.press("Next")

    assert child.heading() == PARTS[4]
    taps.write("What has gone well for you?", "I learned to swim")
    taps.press("Next")

    assert child.heading() == "Who can see my answers"
    taps.press("Save and continue")
    assert child.heading() == "Check your answers"
    main = child.page.get_by_role("main")
    for words in ("Amira", "Really happy", "I learned to swim", "Yes, I will come"):
        expect(main.get_by_text(words, exact=True).first).to_be_visible()
    taps.press("Send to my IRO")

    expect(child.page.get_by_role("heading", name="Your booklet is sent")).to_be_visible()
    thanks = child.page.locator(".portal-sent-panel")
    expect(thanks).to_contain_text("Thank you, Amira.")
    expect(thanks).to_contain_text(re.compile(r"Priya Shah.*will read this before your meeting on \w+day \d+ \w+"))
    expect(child.page.locator(".portal-path__steps")).to_contain_text("Send: done")
    if js_enabled:
        child.screenshot(f"booklet-4-11-sent-{width}")
    assert taps.count <= MOST_TAPS, f"{taps.count} taps"

    answers, seen, returned = _stored(live_server, link.review_id)
    assert returned and seen == {"about_me", "my_meeting", "how_things_are", "worries", "good_news"}
    assert answers["preferred_name"] == ("answered", None, "Amira")
    assert answers["talk_about"][0] == "tell_iro"
    assert answers["feel_safe"] == ("answered", "yes", None)
    assert "next" not in answers and "who_comes" not in answers

    # Back on the contents page every part says Done, in words.
    child.follow("My booklet", exact=True)
    for part in PARTS:
        expect(child.page.locator("#booklet-parts")).to_contain_text(part)
    expect(child.page.locator("#booklet-parts").get_by_text("Done", exact=False)).to_have_count(len(PARTS))


def test_a_fifteen_year_old_still_has_the_whole_booklet(live_server, open_browser, js_enabled):
    link = live_server.booklet_link(age=15, name="Jordan")
    young = open_browser(js=js_enabled)
    young.goto(link.url)
    young.press("Start", exact=True)
    assert young.heading() == "My Review booklet"
    young.press("Start", exact=True)
    headings = []
    while young.page.locator("#booklet-answers").count():
        headings.append(young.heading())
        expect(young.page.locator(".portal-path__steps [aria-current=step]")).to_have_count(1)
        if young.heading() == "How things are going":
            young.page.locator("#question-enjoy summary").click()
            young.page.locator("#question-enjoy").get_by_label("Skip this question", exact=True).check()
        young.press("Save and continue", exact=True)
    assert headings == ["About me", "My meeting", "How things are going", "Good news", "Worries", "Help",
                        "What I want to happen next"]
    assert young.heading() == "Who can see my answers"
    young.press("Save and continue", exact=True)
    young.press("Send to my IRO", exact=True)
    expect(young.page.locator(".portal-sent-panel")).to_contain_text("Thank you, Jordan.")
    answers, seen, returned = _stored(live_server, link.review_id)
    assert returned and len(seen) == 7 and answers["enjoy"][0] == "skipped"

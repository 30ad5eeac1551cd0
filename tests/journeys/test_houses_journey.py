"""A 5-year-old's Three Houses with pictures (4-7/2) on a phone, 375 px and 320 px wide, JavaScript on and off:
done only by tapping pictures and faces (nothing typed), sent, and read by the IRO. axe checks every page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from portal.extensions import db
from tests.journeys.conftest import IRO, Journey

# (screen's heading, question, pictures to tap): every screen of the set, in order.
SCREENS = (
    ("About me", None, ()),
    ("How I feel", "How do you feel today?", ("Really happy",)),
    ("My house of good things", "What is good in your life? Tap the pictures.", ("My family", "Pets", "Playing")),
    ("More good things", None, ()),
    ("My house of worries", "What worries you? Tap the pictures.", ("Feeling scared",)),
    ("Feeling safe", "Do you feel safe?", ("Yes, I feel safe",)),
    ("More worries", None, ()),
    ("My house of dreams", "What do you wish for? Tap the pictures.", ("A pet", "A holiday")),
    ("More dreams", None, ()),
    ("My meeting", "Will you come to your meeting?", ("Yes",)),
    ("Who helped me", "Who helped you?", ("My carer",)),
)


def _fits(journey: Journey, width: int) -> None:
    scroll = journey.page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"{journey.page.url} is {scroll}px wide at {width}px: it scrolls sideways"


def _tap(journey: Journey, question: str, label: str) -> None:
    """Tap a picture tile, as a child does: the tile is the checkbox or radio, its picture beside its name."""
    group = journey.page.get_by_role("group", name=question, exact=True)
    tile = group.get_by_role("checkbox", name=label, exact=True).or_(
        group.get_by_role("radio", name=label, exact=True))
    tile.click()
    expect(tile).to_be_checked()
    if journey.js:
        block = journey.page.locator("[data-question]").filter(has=tile)
        # The first save in a fresh server also warms up the screening word lists (about 5 s alone).
        expect(block.get_by_text("Saved", exact=True)).to_be_visible(timeout=30_000)


def _stored(server, review_id: int) -> dict:
    from portal.booklet.models import Booklet, BookletAnswer

    def read():
        booklet = db.session.scalar(db.select(Booklet).filter_by(review_id=review_id))
        rows = db.session.scalars(db.select(BookletAnswer).filter_by(booklet_id=booklet.id)).all()
        return {"set": booklet.question_set, "returned": booklet.returned_at is not None,
                "answers": {r.question_key: (r.state, r.value_choice, r.value_text) for r in rows}}

    return server.run(read)


@pytest.mark.parametrize("width", [375, 320])
def test_a_five_year_old_taps_through_three_houses_and_the_iro_reads_it(live_server, open_browser, js_enabled,
                                                                        width):
    link = live_server.booklet_link(age=5, name="Leo")
    child = open_browser(js=js_enabled)
    child.page.set_viewport_size({"width": width, "height": 812})
    child.goto(link.url)
    child.press("Start", exact=True)
    assert child.heading() == "My Review"
    expect(child.page.locator(".govuk-task-list")).to_have_count(0)
    expect(child.page.locator("svg.portal-house-icon")).to_have_count(3)
    _fits(child, width)
    child.follow("Start", exact=True)

    for number, (heading, question, pictures) in enumerate(SCREENS):
        assert child.heading() == heading
        expect(child.page.get_by_text(re.compile(r"Part \d+ of \d+"))).to_have_count(0)
        expect(child.page.locator(".portal-dots__dot--current")).to_have_count(1)
        for label in pictures:
            _tap(child, question, label)
        if "house of" in heading and js_enabled:
            # The tapped pictures are in the house before anything is sent.
            house = child.page.locator("[data-house-things]")
            for label in pictures:
                expect(house.get_by_role("img", name=label, exact=True)).to_be_visible()
        _fits(child, width)
        if js_enabled and width == 375:
            child.screenshot(f"houses-{number + 1:02d}-{width}")
        child.press("Next", exact=True)

    assert child.heading() == "Who can see my answers"
    child.press("Save and continue", exact=True)
    assert child.heading() == "Look at your houses"
    main = child.page.get_by_role("main")
    for label in ("Really happy", "My family", "Pets", "Playing", "Feeling scared", "Yes, I feel safe", "A pet",
                  "A holiday", "My carer"):
        expect(main.get_by_text(label, exact=True).first).to_be_visible()
    _fits(child, width)
    child.press(re.compile(r"^Send to "))
    expect(child.page.get_by_text("Your booklet is sent").first).to_be_visible()

    stored = _stored(live_server, link.review_id)
    assert stored["set"] == "4-7/2" and stored["returned"]
    answers = stored["answers"]
    assert answers["good_things"] == ("answered", None, '["family", "pets", "play"]')
    assert answers["dreams"] == ("answered", None, '["pets", "holiday"]')
    assert answers["feeling"] == ("answered", "great", None)
    assert answers["feel_safe"] == ("answered", "yes", None)
    assert answers["attend"] == ("answered", "in_person", None)
    # Nothing was typed.
    assert not {"preferred_name", "good_words", "worry_words", "dream_words"} & set(answers)

    iro = open_browser(js=js_enabled)
    iro.sign_in(*IRO)
    iro.goto(f"/reviews/{link.review_id}/booklet")
    text = iro.text()
    for words in ("My family, Pets, Playing", "Feeling scared", "A pet, A holiday", "Yes, I feel safe", "My carer",
                  "Really happy"):
        assert words in text, words


def test_tapping_tell_my_iro_clears_the_pictures_and_a_worrying_picture_opens_help(live_server, open_browser):
    link = live_server.booklet_link(age=6, name="Ava")
    child = open_browser(js=True)
    child.goto(link.url)
    child.press("Start", exact=True)
    child.goto("/booklet/worries")
    question = "What worries you? Tap the pictures."
    _tap(child, question, "Feeling sad")
    group = child.page.get_by_role("group", name=question, exact=True)
    group.get_by_role("checkbox", name="I'd rather tell my IRO myself", exact=True).click()
    expect(group.get_by_role("checkbox", name="Feeling sad", exact=True)).not_to_be_checked()
    expect(child.page.locator("[data-house-things] img")).to_have_count(0)
    child.page.wait_for_timeout(300)
    _tap(child, question, "Someone hurts me")
    expect(group.get_by_role("checkbox", name="I'd rather tell my IRO myself", exact=True)).not_to_be_checked()
    expect(child.page.locator("details.portal-help")).to_have_attribute("open", "")
    answers = _stored(live_server, link.review_id)["answers"]
    assert answers["worries"] == ("answered", None, '["hurt"]')

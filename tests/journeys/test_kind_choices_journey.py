"""Kind, equal choices on a phone (issue 14, part 5), with JavaScript on and off, axe on every page:
'Keep my answers' as big as 'Delete', My IRO leads back to the booklet, a voice note sent without
JavaScript keeps the words typed beside it, and 'Download my answers' says the file stays on the phone."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import expect

from portal.extensions import db
from tests.journeys.conftest import PHONE_WIDTH, Journey

WEBM = b"\x1a\x45\xdf\xa3" + b"\x9f\x42\x86\x81\x01" + b"\x00" * 200
SHOTS = Path("/tmp/shots/b4")


def _shot(journey: Journey, name: str) -> None:
    journey.screenshot(f"kind-choices-{name}-{'js' if journey.js else 'no-js'}")
    SHOTS.mkdir(parents=True, exist_ok=True)
    journey.page.screenshot(path=str(SHOTS / f"{name}-{'js' if journey.js else 'no-js'}.png"), full_page=True)


def _voice_question(live_server, review_id: int) -> tuple[str, str]:
    """(section key, prompt) of the booklet's first question that takes a voice note."""

    def find():
        from portal.booklet.questions import question_set
        from portal.booklet.services import booklet_for_review
        from portal.reviews.models import Review

        booklet = booklet_for_review(db.session.get(Review, review_id))
        qs = question_set(booklet.question_set)
        question = next(q for q in qs.questions if q.voice and q.is_free_text)
        return qs.section_of(question.key).key, str(question.prompt), question.key

    return live_server.run(find)


def _add_note(live_server, review_id: int, question_key: str) -> None:
    def add():
        from portal.booklet import voice_rules
        from portal.booklet.services import booklet_for_review
        from portal.reviews.models import Review

        voice_rules.save_voice_note(booklet_for_review(db.session.get(Review, review_id)), question_key, WEBM,
                                    link_id=None)

    live_server.run(add)


def _start(journey: Journey, url: str) -> None:
    journey.goto(url)
    journey.press("Start", exact=True)
    assert journey.page.url.endswith("/booklet")


def test_kind_equal_choices(open_browser, live_server, js_enabled, tmp_path):
    journey = open_browser(js=js_enabled)
    link = live_server.booklet_link(age=13, name="Jordan")
    _start(journey, link.url)
    section_key, prompt, question_key = _voice_question(live_server, link.review_id)

    # A voice note sent from the question's page keeps the words typed beside it.
    journey.goto(f"/booklet/{section_key}")
    box = journey.page.get_by_label(prompt, exact=True)
    box.fill("I want to talk about football")
    if not js_enabled:
        recording = tmp_path / "note.webm"
        recording.write_bytes(WEBM)
        journey.page.locator(f'input[name="voice_audio__{question_key}"]').set_input_files(str(recording))
        _shot(journey, "voice-before")
        journey.page.locator(f"#voice-{question_key}").get_by_role("button", name="Send voice note").click()
        journey.page.wait_for_load_state("load")
        journey.check()
        expect(journey.page.get_by_label(prompt, exact=True)).to_have_value("I want to talk about football")
        expect(journey.page.locator(f"#voice-{question_key} .portal-voice-note")).to_have_count(1)
        _shot(journey, "voice-after")
    else:
        _add_note(live_server, link.review_id, question_key)
        journey.goto(f"/booklet/{section_key}")
        journey.page.get_by_label(prompt, exact=True).fill("I want to talk about football")
    # Deleting the note keeps the words too: without JavaScript it is sent with them, with it the page stays.
    journey.page.get_by_label(prompt, exact=True).fill("I want to talk about football and school")
    delete = journey.page.locator(f"#voice-{question_key}").get_by_role("button", name="Delete this voice note")
    delete.click()
    if not js_enabled:
        journey.page.wait_for_load_state("load")
        journey.check()
    expect(journey.page.locator(f"#voice-{question_key} .portal-voice-note")).to_have_count(0)
    expect(journey.page.get_by_text("Your voice note is deleted.")).to_be_visible()
    expect(journey.page.get_by_label(prompt, exact=True)).to_have_value("I want to talk about football and school")
    journey.no_horizontal_scroll()
    journey.press("Save and go back to the list", exact=True)

    # My IRO says who they are and leads back to the booklet.
    journey.goto("/my-iro")
    assert "the person who runs your meeting" in journey.text()
    _shot(journey, "my-iro")
    journey.no_horizontal_scroll()
    back = journey.page.locator(".portal-way-back").get_by_role("button", name="Back to my booklet")
    expect(back).to_be_visible()
    with journey.page.expect_navigation():
        back.click()
    journey.check()
    assert journey.page.url.endswith("/booklet")

    # My answers: show or print them first; the download says the file stays on this phone.
    journey.goto("/booklet/mine")
    expect(journey.page.get_by_text("I want to talk about football and school")).to_be_visible()
    expect(journey.page.get_by_text("the file stays on this phone or computer", exact=False)).to_be_visible()
    print_button = journey.page.get_by_role("button", name="Print my answers")
    how_to = journey.page.get_by_text("open your browser's menu and choose Print", exact=False)
    if js_enabled:
        expect(print_button).to_be_visible()
        expect(how_to).to_be_hidden()
    else:
        expect(print_button).to_be_hidden()
        expect(how_to).to_be_visible()
    _shot(journey, "mine")
    journey.no_horizontal_scroll()

    # Deleting: 'Keep my answers' is a button as big as 'Delete', and comes first.
    journey.goto("/booklet/withdraw")
    keep = journey.page.get_by_role("button", name="No, keep my answers")
    delete = journey.page.get_by_role("button", name="Yes, delete everything I wrote")
    keep_box, delete_box = keep.bounding_box(), delete.bounding_box()
    assert keep_box and delete_box
    assert abs(keep_box["height"] - delete_box["height"]) <= 1, (keep_box, delete_box)
    assert abs(keep_box["width"] - delete_box["width"]) <= 1, (keep_box, delete_box)
    assert keep_box["height"] >= 44 and keep_box["y"] < delete_box["y"]
    assert keep_box["width"] <= PHONE_WIDTH
    _shot(journey, "withdraw")
    journey.no_horizontal_scroll()
    with journey.page.expect_navigation():
        keep.click()
    journey.check()
    assert journey.page.url.endswith("/booklet/mine")
    expect(journey.page.get_by_text("I want to talk about football and school")).to_be_visible()

    journey.goto("/booklet/withdraw")
    journey.press("Yes, delete everything I wrote", exact=True)
    assert journey.heading() == "Everything you wrote is deleted"
    assert "the person who runs your meeting" in journey.text()
    _shot(journey, "withdrawn")

"""A child reads the letter from their review on a phone: their booklet link after the meeting, the letter's
second version, Listen (stubbed speech), the PDF; axe on every page, in English and Welsh."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path

from playwright.sync_api import expect

from portal.extensions import db
from tests.journeys.conftest import IRO, SCREENSHOTS, Journey

# A voice for English that records what it is asked to say, and says it at once ('end' fires next tick).
SPEECH_STUB = """
window.__spoken = [];
const voices = [{lang: 'en-GB', name: 'Test voice', default: true, localService: true, voiceURI: 'test'}];
Object.defineProperty(window, 'speechSynthesis', {configurable: true, value: {
  getVoices: () => voices,
  speak: (u) => { window.__spoken.push(u.text); setTimeout(() => (u.listeners.end || []).forEach((f) => f()), 10) },
  cancel: () => {}, addEventListener: () => {}, removeEventListener: () => {},
  speaking: false, pending: false, paused: false,
}});
window.SpeechSynthesisUtterance = class {
  constructor (text) { this.text = text; this.lang = ''; this.voice = null; this.listeners = {} }
  addEventListener (name, f) { (this.listeners[name] = this.listeners[name] || []).push(f) }
};
"""


def _child_with_a_corrected_letter(server, name: str = "Jade") -> tuple[str, int]:
    """A child whose review was held last week, with an issued letter in two versions; their booklet link."""

    def make():
        from portal.booklet.services import issue_booklet_link
        from portal.letters import services
        from portal.staff.models import StaffUser
        from portal.timeutil import LONDON, today
        from tests import factories

        iro = db.session.scalar(db.select(StaffUser).filter_by(email=IRO[0]))
        child = factories.child(iro, age=11, preferred_name=name, came_into_care=date(2024, 1, 8))
        when = datetime.combine(today() - timedelta(days=7), time(10), tzinfo=LONDON)
        review = factories.review(child, status="held", meeting_at=when, held_at=when)
        url, _short = issue_booklet_link(review)
        first = services.draft(review, iro)
        services.save_draft(first, first.version_counter, who_came="Mum\nPriya, your social worker",
                            going_well="You are doing well at school.\n\nYou have joined the football club.",
                            worries='Some people worry about bedtimes. <script>alert("x")</script>')
        services.set_actions(first, [("Plan a visit to Nana", "Your social worker", today() + timedelta(days=30))])
        services.issue(first, iro)
        second = services.draft(review, iro)
        services.save_draft(second, second.version_counter,
                            going_well="You are doing really well at school.\n\nYou scored in the football final.")
        services.issue(second, iro, reason=f"{name} asked us to add the football final")
        return url, review.id

    return server.run(make)


def letter_parts(journey: Journey) -> list[str]:
    return journey.page.evaluate(
        "Array.from(document.querySelectorAll('.portal-letter__part'))"
        ".map((part) => part.textContent.replace(/\\s+/g, ' ').trim())")


def test_a_child_reads_listens_to_and_keeps_their_letter(live_server, open_browser):
    url, _review_id = _child_with_a_corrected_letter(live_server)
    child = open_browser(js=True)
    child.page.add_init_script(SPEECH_STUB)

    # The booklet link, after the meeting: the review has happened, and the letter is offered.
    child.goto(url)
    assert child.heading() == "Your review has happened"
    assert "When the letter is ready" not in child.text()
    assert "has written you a letter about it" in child.text()
    child.press("Read the letter from your review", exact=True)

    # The letter: version 2, markup shown as text.
    assert child.heading() == "The letter from your review"
    assert "Version 2. Your IRO (the person who runs your meeting) changed this letter on" in child.text()
    assert "You scored in the football final." in child.text()
    assert "You have joined the football club" not in child.text()
    assert '<script>alert("x")</script>' in child.text()
    child.no_horizontal_scroll()
    child.screenshot("letter-reading-375")

    # Listen: every part of the letter, in order.
    parts = letter_parts(child)
    assert len(parts) >= 6
    listen = child.page.get_by_role("button", name="Listen", exact=True)
    expect(listen).to_be_visible()
    expect(child.page.get_by_role("button", name="Print", exact=True)).to_be_visible()
    listen.click()
    for _ in range(100):  # (wait_for_function would evaluate a string: the page's CSP refuses that)
        if len(child.page.evaluate("window.__spoken")) >= len(parts):
            break
        child.page.wait_for_timeout(100)
    assert child.page.evaluate("window.__spoken") == parts
    expect(child.page.get_by_role("button", name="Listen", exact=True)).to_be_visible()
    expect(child.page.locator(".portal-letter__part--reading")).to_have_count(0)

    # Printed: the letter alone, without the header, footer, help or buttons.
    child.page.emulate_media(media="print")
    for hidden in (".portal-header", ".portal-footer", ".portal-letter-tools", ".portal-help"):
        expect(child.page.locator(hidden).first).to_be_hidden()
    expect(child.page.locator(".portal-letter")).to_be_visible()
    child.screenshot("letter-reading-print")
    child.page.emulate_media(media="screen")

    # Download as PDF.
    with child.page.expect_download() as download:
        child.page.get_by_role("button", name="Download as PDF").click()
    saved = Path(download.value.path())
    assert saved.read_bytes().startswith(b"%PDF")
    assert download.value.suggested_filename == "letter-from-your-review.pdf"

    # The reading page in Welsh: the same structure, axe-clean.
    child.welsh()
    assert child.page.locator("html").get_attribute("lang") == "cy"
    child.goto("/letter")
    assert child.page.locator(".portal-letter__part").count() == len(parts)
    child.no_horizontal_scroll()
    child.screenshot("letter-reading-375-cy")
    child.english()


def test_without_a_voice_there_is_no_listen_button_and_no_js_still_reads(live_server, open_browser):
    url, _review_id = _child_with_a_corrected_letter(live_server, name="Rio")
    child = open_browser(js=False)
    child.goto(url)
    child.press("Read the letter from your review", exact=True)
    assert child.heading() == "The letter from your review"
    expect(child.page.get_by_role("button", name="Listen")).to_have_count(0)
    expect(child.page.get_by_role("button", name="Print")).to_have_count(0)
    expect(child.page.get_by_role("button", name="Download as PDF")).to_be_visible()
    headless = open_browser(js=True)  # headless Chromium has no voices: Listen stays hidden, Print shows
    headless.goto(url)
    headless.press("Read the letter from your review", exact=True)
    expect(headless.page.get_by_role("button", name="Listen")).to_have_count(0)
    expect(headless.page.get_by_role("button", name="Print", exact=True)).to_be_visible()
    assert SCREENSHOTS.exists()

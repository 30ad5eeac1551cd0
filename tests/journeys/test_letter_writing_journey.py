"""The IRO writes the letter to the child on a phone (375 px): what the child shared is pre-filled, two care
words are replaced with the suggested words by clicking, the letter is issued, corrected with a reason as
version 2, and the history shows the difference; then the child opens their own link, reads version 2, listens
(stubbed speech) and downloads the PDF. axe on every page (the writing, history and reading pages), English and
Welsh."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from pathlib import Path

from playwright.sync_api import expect

from portal.extensions import db
from tests.journeys.conftest import IRO
from tests.journeys.test_letter_reading_journey import SPEECH_STUB, letter_parts


def held_review_with_a_shared_booklet(server) -> tuple[int, str]:
    """A new child of the demo IRO whose review was held three days ago; their booklet shared 'Good news'.
    Returns the review and the child's booklet link."""

    def make() -> tuple[int, str]:
        from portal.booklet.models import Booklet, BookletAnswer, SectionSharing
        from portal.booklet.services import issue_booklet_link
        from portal.staff.models import StaffUser
        from portal.timeutil import LONDON, today
        from tests import factories

        iro = db.session.scalar(db.select(StaffUser).filter_by(email=IRO[0]))
        child = factories.child(iro, age=13, preferred_name="Jordan")
        held = datetime.combine(today() - timedelta(days=3), time(10), tzinfo=LONDON)
        review = factories.review(child, status="held", meeting_at=held, held_at=held)
        booklet = Booklet(review_id=review.id, version="12-17", question_set="12-17/1")
        db.session.add(booklet)
        db.session.flush()
        db.session.add_all([
            BookletAnswer(booklet_id=booklet.id, question_set="12-17/1", section="good_news",
                          question_key="good_news", state="answered", value_text="I got into the football team"),
            SectionSharing(booklet_id=booklet.id, section="good_news", social_worker=True),
        ])
        url, _short = issue_booklet_link(review)
        return review.id, url

    return server.run(make)


def test_an_iro_writes_issues_and_corrects_the_letter(open_browser, live_server):
    review_id, child_link = held_review_with_a_shared_booklet(live_server)
    journey = open_browser(js=True)
    page = journey.page
    journey.sign_in(*IRO)
    journey.goto(f"/reviews/{review_id}/letter")
    told = page.locator("#what_you_told_us")
    expect(told).to_have_value("Good news: I got into the football team")
    journey.no_horizontal_scroll()

    # Two care words, each replaced only by clicking its suggestion.
    going_well = page.locator("#going_well")
    going_well.fill("You like your placement and contact with Mum.")
    findings = page.locator("#going_well-check")
    use_home = findings.get_by_role("button", name="Use 'home'")
    expect(use_home).to_be_visible()
    expect(going_well).to_have_value("You like your placement and contact with Mum.")
    journey.screenshot("letter-writing-findings-en")
    journey.check()
    use_home.click()
    expect(going_well).to_have_value("You like your home and contact with Mum.")
    use_family_time = findings.get_by_role("button", name="Use 'family time'")
    expect(use_family_time).to_be_visible()
    use_family_time.click()
    expect(going_well).to_have_value("You like your home and family time with Mum.")
    expect(page.locator("#letter-status")).to_contain_text("Saved at")

    # The connection drops while the IRO types: the page says so and keeps the words; back online, it saves.
    page.context.set_offline(True)
    page.locator("#worries").fill("Some people worry about bedtimes.")
    expect(page.locator("#letter-status")).to_contain_text("Not saved: check your connection")
    expect(page.locator("#worries")).to_have_value("Some people worry about bedtimes.")
    page.context.set_offline(False)
    page.locator("#worries").fill("Some people worry about bedtimes on school nights.")
    expect(page.locator("#letter-status")).to_contain_text("Saved at")

    journey.press("Issue the letter", exact=True)
    assert "The letter is issued" in journey.text()
    journey.screenshot("letter-history-v1-en")

    # A correction, with a reason.
    journey.press("Correct the letter", exact=True)
    expect(page.locator("#going_well")).to_have_value("You like your home and family time with Mum.")
    page.locator("#going_well").fill("You like your home, and family time with Mum every week.")
    journey.fill("Why are you correcting it?", "Added how often family time is")
    journey.screenshot("letter-writing-correction-en")
    journey.press("Issue the letter", exact=True)
    text = journey.text()
    assert "Version 2" in text and "Added how often family time is" in text
    diff = page.locator(".portal-letter-diff").first
    expect(diff.locator("del")).to_contain_text("You like your home and family time with Mum.")
    expect(diff.locator("ins")).to_contain_text("You like your home, and family time with Mum every week.")
    journey.no_horizontal_scroll()
    journey.screenshot("letter-history-v2-en")

    # The version page, then Welsh: the same structure, axe-clean.
    journey.follow("Read version 2", exact=True)
    journey.screenshot("letter-version-2-en")
    journey.goto(f"/reviews/{review_id}/letter/history")
    journey.welsh()
    assert page.locator("html").get_attribute("lang") == "cy"
    expect(page.locator(".portal-letter-diff del").first).to_be_visible()
    journey.screenshot("letter-history-v2-cy")
    with page.expect_navigation():
        page.locator(f"form[action='/reviews/{review_id}/letter/correct'] button").click()
    journey.check()
    assert page.locator("html").get_attribute("lang") == "cy"
    expect(page.locator("#reason")).to_be_visible()
    expect(page.locator("#going_well")).to_have_value("You like your home, and family time with Mum every week.")
    journey.screenshot("letter-writing-correction-cy")

    # The child opens their own link (the booklet's, after the meeting) and reads version 2.
    child = open_browser(js=True)
    child.page.add_init_script(SPEECH_STUB)
    child.goto(child_link)
    assert child.heading() == "Your review has happened"
    child.press("Read the letter from your review", exact=True)
    assert child.heading() == "The letter from your review"
    text = child.text()
    assert "You like your home, and family time with Mum every week." in text and "placement" not in text
    assert "Good news: I got into the football team" in text
    child.no_horizontal_scroll()
    parts = letter_parts(child)
    child.page.get_by_role("button", name="Listen", exact=True).click()
    for _ in range(100):  # (wait_for_function would evaluate a string: the page's CSP refuses that)
        if len(child.page.evaluate("window.__spoken")) >= len(parts):
            break
        child.page.wait_for_timeout(100)
    assert child.page.evaluate("window.__spoken") == parts
    with child.page.expect_download() as download:
        child.page.get_by_role("button", name="Download as PDF").click()
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")

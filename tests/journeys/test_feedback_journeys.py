"""Feedback after the review on a phone (375 px): the young person's form from their own link, a parent's
and a professional's from theirs, in English and Welsh, with JavaScript on and off; axe on every page."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from playwright.sync_api import expect

from portal.extensions import db
from tests.journeys.conftest import IRO, Journey, axe_check

AUDIENCES = {"parent_carer": "parent", "professional": "professional"}
COMMENT = "=SUM(A1) Diolch 🙏🏽 — شكرا <b>bold</b>"


def held_review_link(server, group: str) -> str:
    """A fresh child whose review was held three days ago, and the link that person is sent."""

    def make() -> str:
        from portal.feedback.models import FeedbackInvitation
        from portal.links.services import issue_link, link_url
        from portal.staff.models import StaffUser
        from portal.timeutil import LONDON, today, utcnow
        from tests import factories

        iro = db.session.scalar(db.select(StaffUser).filter_by(email=IRO[0]))
        child = factories.child(iro, age=14, preferred_name="Robin")
        held = datetime.combine(today() - timedelta(days=3), time(10), tzinfo=LONDON)
        review = factories.review(child, status="held", meeting_at=held, held_at=held)
        if group == "young_person":
            _link, token, _code = issue_link(purpose="booklet", audience="child", review_id=review.id,
                                             expires_at=utcnow() + timedelta(days=30))
            return link_url(token)
        ref = f"{group}-1"
        link, token, _code = issue_link(purpose="feedback", audience=AUDIENCES[group], review_id=review.id,
                                        recipient_ref=ref, expires_at=utcnow() + timedelta(days=30))
        db.session.add(FeedbackInvitation(review_id=review.id, group=group, recipient_ref=ref, link_id=link.id,
                                          channel="email", returned=False))
        return link_url(token)

    return server.run(make)


def stored_comments(server) -> list[str]:
    def read():
        from portal.feedback.models import FeedbackAnswer

        return [a.value_text for a in db.session.scalars(db.select(FeedbackAnswer).filter(
            FeedbackAnswer.value_text.is_not(None)))]

    return server.run(read)


def open_form(journey: Journey, url: str, group: str, welsh: bool) -> None:
    journey.goto(url)
    if group == "young_person":
        # Their own link after the review: the offer starts their session and leads to the form.
        if welsh:
            journey.welsh()
        journey.screenshot(f"feedback-offer-{'cy' if welsh else 'en'}-{'js' if journey.js else 'nojs'}")
        journey.page.locator("button[name=offer]").click()
        journey.page.wait_for_url("**/feedback/mine")
        journey.check()
    elif welsh:
        journey.welsh()


@pytest.mark.parametrize("welsh", [False, True], ids=["en", "cy"])
@pytest.mark.parametrize("group", ["young_person", "parent_carer", "professional"])
def test_each_form_on_a_phone(open_browser, live_server, js_enabled, group, welsh):
    journey = open_browser(js=js_enabled)
    open_form(journey, held_review_link(live_server, group), group, welsh)
    page = journey.page
    assert page.locator("html").get_attribute("lang") == ("cy" if welsh else "en")
    assert page.locator("#who-sees").is_visible()
    journey.no_horizontal_scroll()
    journey.screenshot(f"feedback-{group}-{'cy' if welsh else 'en'}-{'js' if js_enabled else 'nojs'}")
    # The first question's first option, and a comment with awkward characters.
    page.get_by_role("radio").first.check()
    page.locator("textarea").first.fill(COMMENT)
    with page.expect_navigation():
        page.locator("form button[type=submit]").click()
    journey.check()
    expect(page.locator(".govuk-panel")).to_be_visible()
    journey.no_horizontal_scroll()
    journey.screenshot(f"feedback-{group}-thanks-{'cy' if welsh else 'en'}-{'js' if js_enabled else 'nojs'}")
    assert COMMENT in stored_comments(live_server)


def test_a_comment_too_long_is_refused_keeping_the_words(open_browser, live_server, js_enabled):
    journey = open_browser(js=js_enabled)
    journey.goto(held_review_link(live_server, "parent_carer"))
    words = "The meeting was fine. " * 100
    field = journey.page.get_by_label("What could be better?", exact=True)
    if js_enabled:
        # The character count tells them as they type (the field's own limit is not enforced by it).
        field.evaluate("(el, text) => { el.value = text; el.dispatchEvent(new Event('input')); }", words)
    else:
        field.evaluate("(el, text) => { el.removeAttribute('maxlength'); el.value = text; }", words)
    with journey.page.expect_navigation():
        journey.page.locator("form button[type=submit]").click()
    journey.check()
    expect(journey.page.locator(".govuk-error-summary")).to_be_visible()
    assert journey.page.get_by_label("What could be better?", exact=True).input_value() == words.strip()
    journey.screenshot(f"feedback-too-long-{'js' if js_enabled else 'nojs'}")


def test_the_back_button_after_sending_shows_the_closed_form(open_browser, live_server):
    journey = open_browser(js=True)
    url = held_review_link(live_server, "professional")
    journey.goto(url)
    journey.page.get_by_role("radio", name="Health", exact=True).check()
    with journey.page.expect_navigation():
        journey.page.locator("form button[type=submit]").click()
    journey.goto(url)
    expect(journey.page.get_by_role("heading", level=1)).to_have_text("This form is closed")
    journey.screenshot("feedback-closed")


def test_two_tabs_sending_one_form_store_it_once(open_browser, live_server, js_enabled):
    journey = open_browser(js=js_enabled)
    url = held_review_link(live_server, "parent_carer")
    first, second = journey.page, journey.page.context.new_page()
    first.goto(url)
    second.goto(url)
    before = len(stored_comments(live_server))
    for page, words in ((first, "First tab: the plan was clear."), (second, "Second tab: the plan was clear.")):
        page.get_by_label("What went well?", exact=True).fill(words)
        with page.expect_navigation():
            page.locator("form button[type=submit]").click()
    expect(first.locator(".govuk-panel")).to_be_visible()
    expect(second.get_by_role("heading", level=1)).to_have_text("Your answers are already sent")
    axe_check(second, None if js_enabled else journey.renderer)
    comments = stored_comments(live_server)
    assert len(comments) == before + 1 and "First tab: the plan was clear." in comments

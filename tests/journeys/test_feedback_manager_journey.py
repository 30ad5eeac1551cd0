"""A manager reads the collated feedback on a desktop and on a phone, exports it, checks a comment and
looks at the forms' versions; an IRO reads their own. Every page has no axe violations."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.journeys.conftest import IRO, MANAGER, PHONE_WIDTH


@pytest.mark.parametrize("width", [1280, PHONE_WIDTH])
def test_a_manager_reads_the_collated_feedback_and_exports_it(open_browser, js_enabled, width):
    journey = open_browser(js=js_enabled)
    journey.page.set_viewport_size({"width": width, "height": 900})
    journey.sign_in(*MANAGER)
    journey.goto("/feedback")
    assert journey.heading() == "Feedback after reviews"
    returns = journey.page.locator("#returns")
    expect(returns).to_contain_text("Parents and carers")
    expect(returns).to_contain_text("%")
    # The demo's two years of feedback: the shares of a closed question, as a table.
    figure = journey.page.locator("#q-parent_carer-report_48_hours table")
    expect(figure).to_contain_text("Yes")
    expect(figure).to_contain_text("%")
    if width == PHONE_WIDTH:
        journey.no_horizontal_scroll()
    journey.screenshot(f"feedback-manager-{width}-{'js' if js_enabled else 'nojs'}")

    # Last year, one team.
    journey.page.get_by_label("Reporting year (1 April to 31 March)").select_option(index=1)
    journey.press("Show", exact=True)
    assert "year=" in journey.page.url

    with journey.page.expect_download() as download_info:
        journey.page.get_by_role("link", name="Download these figures (CSV spreadsheet)").click()
    download = download_info.value
    text = Path(download.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:4] == ["Section", "Group", "Question", "Answer"]
    assert any(row[0] == "Return rate" for row in rows)


def test_a_manager_checks_a_comment_and_reads_the_forms(open_browser, js_enabled):
    journey = open_browser(js=js_enabled)
    journey.sign_in(*MANAGER)
    journey.goto("/feedback/comments")
    assert journey.heading() == "Comments"
    journey.screenshot(f"feedback-comments-375-{'js' if js_enabled else 'nojs'}")
    journey.page.locator("#comment-list a").nth(0 if js_enabled else 1).click()  # one each: the first is quoted after
    journey.check()
    assert journey.heading() == "Check a comment"
    journey.choose("Negative")
    journey.choose("Fit to quote in a report")
    journey.press("Save", exact=True)
    assert journey.heading() == "Check a comment"
    expect(journey.page.get_by_role("alert")).to_contain_text("Type the words to quote")
    journey.fill("The words to quote", "[The IRO] made sure I was heard.")
    journey.press("Save", exact=True)
    assert journey.heading() == "Comments"
    expect(journey.page.locator("#comment-list")).to_contain_text("[The IRO] made sure I was heard.")
    journey.screenshot(f"feedback-comment-saved-375-{'js' if js_enabled else 'nojs'}")

    journey.follow("Themes", exact=True)
    assert journey.heading() == "Comment themes"
    journey.screenshot("feedback-themes-375")
    journey.goto("/feedback/forms")
    assert journey.heading() == "Feedback forms"
    journey.page.get_by_role("link", name="Add a question to this form").first.click()
    journey.check()
    assert journey.heading() == "Reword or add a question"
    journey.screenshot(f"feedback-change-form-375-{'js' if js_enabled else 'nojs'}")
    journey.no_horizontal_scroll()


def test_an_iro_reads_feedback_on_their_own_reviews(open_browser):
    journey = open_browser()
    journey.sign_in(*IRO)
    journey.goto("/feedback")
    assert journey.heading() == "Feedback after reviews"
    expect(journey.page.locator("body")).to_contain_text("reviews you chaired")
    expect(journey.page.get_by_label("IRO", exact=True)).to_have_count(0)
    journey.no_horizontal_scroll()
    journey.screenshot("feedback-iro-375")

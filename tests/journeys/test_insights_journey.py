"""A manager reads the collated views on a desktop and on a phone: a year, a quarter, a team; downloads a table
whose cells a spreadsheet never runs; the same page in Welsh; an IRO sees only their own. Every page is checked
with axe (tables with headers, the chart named, the scroll regions labelled)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.journeys.conftest import IRO, MANAGER, PHONE_WIDTH


@pytest.mark.parametrize("width", [1280, PHONE_WIDTH])
def test_a_manager_reads_and_exports_the_collated_views(open_browser, width):
    journey = open_browser(js=True)
    journey.page.set_viewport_size({"width": width, "height": 900})
    journey.sign_in(*MANAGER)
    journey.follow("Figures", exact=True)
    assert journey.heading() == "Collated views"
    for title in ("The children's booklets", "How children took part in their reviews", "On time",
                  "Urgent concerns", "What young people, families and professionals said"):
        expect(journey.page.get_by_role("heading", name=title)).to_be_visible()
    expect(journey.page.locator("svg#chart-took-part title")).to_have_count(1)
    if width == PHONE_WIDTH:
        journey.no_horizontal_scroll()
    journey.screenshot(f"insights-{width}")

    # A quarter of last year, then one team: the address carries the filters.
    journey.page.get_by_label("Reporting year", exact=True).select_option(index=1)
    journey.page.get_by_label("Quarter", exact=True).select_option("2")
    journey.press("Show the figures", exact=True)
    assert "quarter=2" in journey.page.url
    expect(journey.page.get_by_text("quarter 2")).to_be_visible()
    journey.page.get_by_label("Team", exact=True).select_option(index=1)
    journey.press("Show the figures", exact=True)
    assert "team=" in journey.page.url

    with journey.page.expect_download() as download_info:
        journey.page.get_by_role("link", name="Download 'Reviews by participation code and reporting year' (CSV)").click()
    text = Path(download_info.value.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][0] == "Reporting year" and len(rows) == 8
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)

    journey.welsh()
    assert journey.page.locator("html").get_attribute("lang") == "cy"
    expect(journey.page.locator("svg#chart-took-part")).to_have_count(1)
    if width == PHONE_WIDTH:
        journey.no_horizontal_scroll()
    journey.english()


def test_an_iro_sees_their_own_figures(open_browser):
    journey = open_browser(js=False)
    journey.sign_in(*IRO)
    journey.goto("/insights")
    assert "The figures for the reviews you chaired." in journey.text()
    expect(journey.page.get_by_label("Team", exact=True)).to_have_count(0)
    journey.no_horizontal_scroll()

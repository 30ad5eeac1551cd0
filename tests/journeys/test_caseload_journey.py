"""An IRO with 80 children starts the day on the caseload: filters to "needs action", sorts by next review,
finds a child by name and opens a message from the Today list; at 1280 px (a table) with JavaScript and at
375 px (cards) without. axe checks every page."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from portal.extensions import db
from portal.timeutil import today
from tests import factories as f
from tests.journeys.conftest import PHONE_WIDTH

NAMES = ["Aled", "Bryony", "Cerys", "Dafydd", "Efa", "Ffion", "Gethin", "Heledd", "Iolo", "Jac"]


def _caseload_of_80(tag: str) -> tuple[str, str]:
    """A new IRO with 80 children: most with a review planned in time, some needing action, and Zara (the
    tag in her name) with a message. Returns the IRO's email and Zara's name."""
    iro = f.staff(email=f"caseload-{tag}@example.org", name=f"Caseload IRO {tag}")
    for number in range(79):
        kid = f.child(iro, preferred_name=f"{NAMES[number % 10]} {tag} {number:02d}", age=4 + number % 14,
                      came_into_care=today() - timedelta(days=700), case_reference=f"C{tag}{number:03d}")
        held = f.held_review(kid, days_ago=60 + number % 90, number="first")
        if number % 9:
            f.issued_letter(held, iro)
        f.review(kid, days_ahead=20 + number % 60, number="second")
    zara = f"Zara {tag}"
    review = f.review(f.child(iro, preferred_name=zara, age=12, came_into_care=today() - timedelta(days=20)),
                      days_ahead=40)
    f.message(review, "Please can we talk about my contact with my brother?")
    db.session.flush()
    return iro.email, zara


def _rows(journey):
    return journey.page.locator("table.portal-caseload__table tbody tr")


@pytest.mark.parametrize("width, js", [(1280, True), (PHONE_WIDTH, False)], ids=["1280-js", "375-no-js"])
def test_an_iro_with_80_children_finds_what_needs_doing(open_browser, live_server, width, js):
    tag = f"{width}{'j' if js else 'n'}"
    email, zara = live_server.run(_caseload_of_80, tag)
    journey = open_browser(js=js)
    journey.page.set_viewport_size({"width": width, "height": 900})
    journey.sign_in(email, f.PASSWORD)
    journey.goto("/caseload")
    assert journey.heading() == "My caseload"
    expect(_rows(journey)).to_have_count(80)
    table_head = journey.page.locator("table.portal-caseload__table thead")
    if width >= 1280:
        expect(table_head).to_be_visible()
    else:
        expect(table_head).to_be_hidden()  # cards: each cell shows its own label
        expect(_rows(journey).first.locator(".portal-caseload__label").first).to_be_visible()
        journey.no_horizontal_scroll()
    journey.screenshot(f"caseload-{tag}")

    # Needs action: the letters not yet written (every ninth child) and Zara's message.
    journey.page.get_by_label("Show").select_option("action")
    journey.press("Apply", exact=True)
    assert "show=action" in journey.page.url
    needing = _rows(journey).count()
    assert 0 < needing < 80
    expect(journey.page.locator("table.portal-caseload__table")).to_contain_text(zara)

    # Sorted by next review, latest first: with the column heading's link on the table, the form on a phone.
    if width >= 1280:
        heading = journey.page.locator("th", has=journey.page.get_by_role("link", name="Next review"))
        expect(heading).to_have_attribute("aria-sort", "ascending")  # the default order
        journey._navigate(heading.get_by_role("link", name=re.compile(r"^Next review\W+sort descending$")))
        expect(heading).to_have_attribute("aria-sort", "descending")
    else:
        journey.page.get_by_label("Order").select_option("desc")
        journey.press("Apply", exact=True)
    assert "dir=desc" in journey.page.url and "show=action" in journey.page.url
    expect(_rows(journey)).to_have_count(needing)

    # Find a child by name; the filters stay as they were.
    journey.fill("Name or case reference", "zara")
    journey.press("Apply", exact=True)
    expect(_rows(journey)).to_have_count(1)
    expect(_rows(journey).first).to_contain_text(zara)

    # The Today list leads straight to the message, which is then read.
    today_list = journey.page.locator("section.portal-caseload__today")
    journey._navigate(today_list.get_by_role("link", name=f"Read {zara}'s message"))
    expect(journey.page.get_by_text("Please can we talk about my contact with my brother?")).to_be_visible()
    journey.goto("/caseload")
    expect(journey.page.locator("section.portal-caseload__today")).not_to_contain_text(f"Read {zara}")

"""A manager moves three children from an IRO who is leaving to another IRO, on a desktop and on a phone;
the children's open urgent concerns go with them, to the new IRO's lists. Every page has no axe violations."""

from __future__ import annotations

import itertools

import pytest
from playwright.sync_api import expect

from portal.extensions import db
from tests.journeys.conftest import IRO2, MANAGER, PHONE_WIDTH

_number = itertools.count(1)


def _leaving_iro_with_children(server, tag: str) -> dict:
    """An IRO who is leaving with four children, each with a planned review; three have an open concern."""

    def make() -> dict:
        from portal.staff.models import StaffUser
        from tests import factories

        leaving = factories.staff("iro", name=f"Lee Leaving {tag}", email=f"leaving-{tag}@example.org")
        target = db.session.scalar(db.select(StaffUser).filter_by(email=IRO2[0]))
        names = [f"{name} {tag}" for name in ("Ana", "Bo", "Cy", "Di")]
        for position, name in enumerate(names):
            review = factories.review(factories.child(leaving, preferred_name=name), days_ahead=15 + position)
            if position < 3:
                factories.concern(review, text=f"he hit me {tag}")
        return {"leaving_id": leaving.id, "leaving": leaving.name, "target_id": target.id, "target": target.name,
                "names": names}

    return server.run(make)


@pytest.mark.parametrize("width", [1280, PHONE_WIDTH])
def test_a_manager_moves_three_children_from_a_leaving_iro_and_their_concerns_follow(open_browser, live_server,
                                                                                      js_enabled, width):
    tag = f"{width}{'j' if js_enabled else 'n'}{next(_number)}"
    made = _leaving_iro_with_children(live_server, tag)
    manager = open_browser(js=js_enabled)
    manager.page.set_viewport_size({"width": width, "height": 900})
    manager.sign_in(*MANAGER)

    manager.goto("/caseload/service")
    manager.follow("Move children to another IRO", exact=True)
    assert manager.heading() == "Move children to another IRO"
    manager.follow(f"Move children from {made['leaving']}", exact=True)
    assert manager.heading() == f"Move children from {made['leaving']}"
    if width == PHONE_WIDTH:
        manager.no_horizontal_scroll()
    manager.screenshot(f"reassign-choose-{tag}")

    # Nothing chosen: the page says so, and keeps what was typed.
    manager.fill("Why are they moving?", "Lee is leaving the service")
    manager.press("Continue", exact=True)
    expect(manager.page.locator(".govuk-error-summary")).to_contain_text("Choose at least one child to move")
    for name in made["names"][:3]:
        manager.choose(name)
    manager.page.get_by_label("Move them to").select_option(str(made["target_id"]))
    expect(manager.page.get_by_label("Why are they moving?")).to_have_value("Lee is leaving the service")
    manager.press("Continue", exact=True)
    assert manager.heading() == f"Move 3 children from {made['leaving']} to {made['target']}?"
    if width == PHONE_WIDTH:
        manager.no_horizontal_scroll()
    manager.screenshot(f"reassign-check-{tag}")
    manager.press("Move them", exact=True)
    expect(manager.page.locator(".govuk-notification-banner--success")).to_contain_text(
        f"3 children moved to {made['target']}.")
    assert "/caseload/service" in manager.page.url
    manager.screenshot(f"reassign-done-{tag}")

    # The fourth child stayed; the three left the leaving IRO.
    manager.goto(f"/caseload/reassign?from={made['leaving_id']}")
    expect(manager.page.locator("main form")).to_contain_text(made["names"][3])
    for name in made["names"][:3]:
        expect(manager.page.locator("main form")).not_to_contain_text(name)

    # The new IRO finds the three children, and their open concerns, on their own lists.
    iro = open_browser(js=js_enabled)
    iro.page.set_viewport_size({"width": width, "height": 900})
    iro.sign_in(*IRO2)
    iro.goto("/caseload")
    for name in made["names"][:3]:
        expect(iro.page.locator("main")).to_contain_text(name)
    expect(iro.page.locator("main")).not_to_contain_text(made["names"][3])
    iro.screenshot(f"reassign-new-iro-caseload-{tag}")
    iro.goto("/urgent")
    for name in made["names"][:3]:
        expect(iro.page.locator("main h2", has_text=name)).to_be_visible()
    iro.screenshot(f"reassign-new-iro-urgent-{tag}")
    if width == PHONE_WIDTH:
        iro.no_horizontal_scroll()

"""An IRO's day in the browser: sign in, see their children, add one, plan a review; a manager's list."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import expect

from portal.extensions import db
from portal.timeutil import today
from tests.journeys.conftest import IRO, MANAGER


def _date_group(journey, legend: str):
    """The Day/Month/Year inputs inside the fieldset with this legend."""
    return journey.page.get_by_role("group", name=legend)


def _type_date(journey, legend: str, day: int | str, month: int | str, year: int | str) -> None:
    group = _date_group(journey, legend)
    group.get_by_label("Day").fill(str(day))
    group.get_by_label("Month").fill(str(month))
    group.get_by_label("Year").fill(str(year))


def test_an_iro_adds_a_child_and_plans_their_first_review(open_browser, js_enabled):
    journey = open_browser(js=js_enabled)
    journey.sign_in(*IRO)

    # Their own children, and nobody else's.
    assert journey.heading() == "My children"
    cards = journey.page.get_by_role("heading", level=2)
    expect(cards.filter(has_text="Leo")).to_be_visible()
    expect(cards.filter(has_text="Jordan")).to_be_visible()
    expect(cards.filter(has_text="Ellie")).to_have_count(0)  # Tom Evans's child
    if js_enabled:
        journey.screenshot("children-list-375")

    journey.follow("Add a child", exact=True)
    assert journey.heading() == "Add a child"
    name = "Rosa js" if js_enabled else "Rosa no-js"
    journey.fill("The name they like to be called", name)
    came = today() - timedelta(days=10)
    _type_date(journey, "Date of birth", 31, 2, 2016)  # there is no 31 February
    _type_date(journey, "Date they came into care", came.day, came.month, came.year)
    journey.fill("Pronouns (optional)", "she/her")
    journey.press("Add child", exact=True)

    # Still on the form: the mistake named in the summary and by the field, and nothing typed is lost.
    assert journey.heading() == "Add a child"
    summary = journey.page.get_by_role("alert")
    expect(summary).to_contain_text("There is a problem")
    expect(summary).to_contain_text("Date of birth must be a real date")
    assert journey.page.get_by_label("The name they like to be called").input_value() == name
    assert journey.page.get_by_label("Pronouns (optional)").input_value() == "she/her"
    birth = _date_group(journey, "Date of birth")
    assert birth.get_by_label("Day").input_value() == "31"
    assert birth.get_by_label("Year").input_value() == "2016"
    assert _date_group(journey, "Date they came into care").get_by_label("Year").input_value() == str(came.year)

    _type_date(journey, "Date of birth", 28, 2, 2016)
    journey.press("Add child", exact=True)
    assert journey.heading() == name
    expect(journey.page.get_by_text(f"{name} has been added.")).to_be_visible()

    # A first review is due within 20 working days of coming into care: the form suggests that date.
    journey.follow("Plan a review", exact=True)
    assert journey.heading() == f"Plan a review for {name}"
    expect(journey.page.get_by_text("This will be their first review.")).to_be_visible()
    meeting = _date_group(journey, "Date of the review")
    suggested = [meeting.get_by_label(part).input_value() for part in ("Day", "Month", "Year")]
    assert all(suggested), f"no suggested date: {suggested}"
    expect(journey.page.get_by_text("Due by")).to_be_visible()
    journey.fill("Start time", "14:30")
    journey.fill("Where it will be (optional)", "At school")
    journey.press("Save the review", exact=True)

    assert journey.heading() == name
    expect(journey.page.get_by_text("Review saved.")).to_be_visible()
    reviews = journey.page.get_by_role("heading", level=3)
    expect(reviews.filter(has_text="14:30")).to_have_count(1)

    # Back on the list, the child shows with the review planned.
    journey.goto("/children")
    card = journey.page.locator(".govuk-summary-card").filter(
        has=journey.page.get_by_role("link", name=name, exact=True))
    expect(card).to_contain_text("Next review")
    expect(card).to_contain_text("14:30")
    # and on the caseload ("My children" in the menu), with the review planned.
    journey.follow("My children", exact=True)
    assert journey.heading() == "My caseload"
    row = journey.page.locator("tbody tr").filter(has=journey.page.get_by_role("link", name=name, exact=True))
    expect(row).to_have_count(1)
    expect(row).not_to_contain_text("None planned")
    assert len(journey.pages_checked) >= 7


def test_a_manager_sees_every_team(open_browser, js_enabled):
    journey = open_browser(js=js_enabled)
    journey.sign_in(*MANAGER)
    journey.follow("All teams", exact=True)
    assert journey.heading() == "Reviews across the service"
    main = journey.page.get_by_role("main")
    for team in ("North team", "South team"):
        expect(main.get_by_role("heading", name=team, exact=True)).to_be_visible()
    for iro in ("Priya Shah", "Tom Evans"):
        expect(main.get_by_role("heading", name=iro, exact=True)).to_be_visible()
    expect(main.get_by_role("link", name="Ellie", exact=True)).to_be_visible()


def test_an_iro_cannot_open_the_service_list(open_browser):
    journey = open_browser()
    journey.sign_in(*IRO)
    response = journey.page.goto(journey.url("/service"))
    assert response.status in (403, 404)
    journey.check()


def test_staff_pages_fit_a_phone_without_sideways_scrolling(open_browser):
    journey = open_browser()
    journey.goto("/sign-in")
    journey.no_horizontal_scroll()
    journey.sign_in(*MANAGER)
    for path in ("/children", "/children/new", "/service"):
        journey.goto(path)
        journey.no_horizontal_scroll()


def test_an_iro_records_what_happened_at_a_review(live_server, open_browser, js_enabled):
    name = "Held js" if js_enabled else "Held no-js"

    def make():
        from portal.staff.models import StaffUser
        from tests import factories

        iro = db.session.scalar(db.select(StaffUser).filter_by(email=IRO[0]))
        child = factories.child(iro, age=12, preferred_name=name)
        factories.review(child, days_ahead=-2)  # the meeting was two days ago

    live_server.run(make)
    journey = open_browser(js=js_enabled)
    journey.sign_in(*IRO)
    card = journey.page.locator(".govuk-summary-card").filter(
        has=journey.page.get_by_role("link", name=name, exact=True))
    expect(card).to_contain_text("The date has passed.")
    journey.follow(f"Record what happened for {name}")
    assert journey.heading() == f"Record what happened at {name}'s review"
    journey.press("Save what happened", exact=True)
    expect(journey.page.get_by_role("alert")).to_contain_text("Choose whether the review was held or cancelled")

    journey.page.get_by_role("radio", name="The review was held", exact=True).check()
    journey.page.get_by_role("radio", name="PN1: Attends and speaks for themselves", exact=True).check()
    journey.page.get_by_role("radio", name="The child co-chaired it", exact=True).check()
    journey.press("Save what happened", exact=True)
    assert journey.heading() == name
    expect(journey.page.get_by_text("The review has been recorded as held.")).to_be_visible()
    main = journey.page.get_by_role("main")
    expect(main.get_by_text("PN1: Attends and speaks for themselves")).to_be_visible()
    expect(main.get_by_text("The child co-chaired it")).to_be_visible()

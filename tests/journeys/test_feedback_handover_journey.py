"""The IRO hands a tablet to a parent at the meeting: the parent form, locked; no way back to staff pages
(back button, a typed address, the header) until the IRO signs in again."""

from __future__ import annotations

from portal.extensions import db
from tests.journeys.conftest import IRO

TABLET = {"width": 768, "height": 1024}


def _held_review(server) -> int:
    def make() -> int:
        from portal.staff.models import StaffUser
        from tests import factories

        iro = db.session.scalar(db.select(StaffUser).filter_by(email=IRO[0]))
        child = factories.child(iro, age=11, preferred_name="Zainab")
        return factories.review(child, days_ahead=-1, status="held").id

    return server.run(make)


def _at_sign_in_or_the_form(page, form_path: str) -> bool:
    path = page.url.split("://", 1)[1].split("/", 1)[1].split("?")[0]
    return path == "sign-in" or "/" + path == form_path


def test_handing_the_tablet_to_a_parent_locks_out_every_staff_page(live_server, open_browser):
    review_id = _held_review(live_server)
    iro = open_browser()
    iro.page.set_viewport_size(TABLET)
    iro.sign_in(*IRO)
    iro.goto(f"/reviews/{review_id}/feedback")
    iro.screenshot("feedback-staff-tablet")
    iro.press("Hand to parent or carer", exact=True)
    page = iro.page
    form_path = "/" + page.url.split("://", 1)[1].split("/", 1)[1]
    assert form_path.startswith("/l/")
    iro.screenshot("feedback-handover-form-tablet")
    # Nothing of the staff side: no staff menu, no child's name, no link out of the form.
    body = iro.text()
    assert "Zainab" not in body and "Sign out" not in body and "My children" not in body
    assert page.locator("header a, nav a").count() == 0
    header_links = page.locator("a[href]").evaluate_all("links => links.map(link => link.getAttribute('href'))")
    assert all(href.startswith("#") for href in header_links), header_links

    # Back: the staff page is not in the cache, and the IRO is signed out.
    page.go_back()
    page.wait_for_load_state("load")
    assert _at_sign_in_or_the_form(page, form_path), page.url
    # Typed addresses of staff pages.
    for path in ("/children", f"/reviews/{review_id}/feedback", "/urgent", "/account", "/outbox"):
        page.goto(live_server.url + path)
        assert _at_sign_in_or_the_form(page, form_path), (path, page.url)
        assert "Zainab" not in iro.text()
    # The header of the page we reached leads nowhere staff either.
    for href in page.locator("header a[href]").evaluate_all("links => links.map(link => link.href)"):
        page.goto(href)
        assert "Zainab" not in iro.text() and "Sign out" not in iro.text(), href

    # The parent comes back to the form and sends it.
    iro.goto(form_path)
    assert page.locator("a[href^='/children'], form[action='/sign-out']").count() == 0
    iro.press("Send my answers", exact=True)
    # A post from a page with <meta name="referrer" content="no-referrer"> carries `Origin: null` and no
    # Referer, which portal.security.sessionless_form refuses as "sent from another site".
    assert "This page timed out" not in iro.text(), "the locked form's post was refused: see its referrer policy"
    assert "hand the device back" in iro.text().lower()
    iro.screenshot("feedback-handover-thanks-tablet")

    # Only signing in again opens the staff pages.
    page.goto(live_server.url + f"/reviews/{review_id}/feedback")
    assert page.url.split("?")[0].endswith("/sign-in")
    iro.sign_in(*IRO)
    iro.goto(f"/reviews/{review_id}/feedback")
    assert iro.heading() == "Feedback on the review"
    assert "Handed over" in iro.text()


def test_the_feedback_page_and_a_slip_at_phone_width(live_server, open_browser):
    review_id = _held_review(live_server)
    iro = open_browser()
    iro.sign_in(*IRO)
    iro.goto(f"/reviews/{review_id}/feedback")
    iro.no_horizontal_scroll()
    iro.screenshot("feedback-staff-375")
    iro.choose("A professional")
    iro.fill("How do you know them?", "School nurse")
    iro.choose("Print a slip with a QR code and a short code")
    iro.press("Ask for feedback", exact=True)
    assert "/s/" in iro.text()
    iro.no_horizontal_scroll()
    iro.screenshot("feedback-slip-375")
    iro.goto(f"/reviews/{review_id}/feedback")
    iro.choose("A parent or carer")
    iro.choose("Email")
    iro.fill("Email address or UK mobile number", "not-an-address")
    iro.press("Ask for feedback", exact=True)
    assert "Enter an email address like name@example.org" in iro.text()
    assert iro.page.get_by_label("Email address or UK mobile number").input_value() == "not-an-address"
    iro.no_horizontal_scroll()
    iro.screenshot("feedback-staff-error-375")



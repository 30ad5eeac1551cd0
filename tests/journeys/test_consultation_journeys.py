"""Parents and carers giving their views before the review on a phone (375 px), in English and Welsh, with
JavaScript on and off, axe on every page; and the IRO asking one more person and reading their views."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.support import Translations
from playwright.sync_api import expect

from portal.extensions import db
from tests.journeys.conftest import IRO, Journey

LONG = "We would like to talk about school. " * 60


def _parent_link(server, *, name: str = "Maya") -> dict:
    """A new child of the demo IRO with a planned review, and one parent asked by email."""

    def make() -> dict:
        from portal.consultation.services import ask_parent
        from portal.outbox.models import OutboxMessage
        from portal.staff.models import StaffUser
        from tests import factories

        iro = db.session.scalar(db.select(StaffUser).filter_by(email=IRO[0]))
        child = factories.child(iro, age=8, preferred_name=name)
        review = factories.review(child, days_ahead=15)
        consultation = ask_parent(review, "Mum", "email", f"mum.of.{name.lower()}@example.org")
        db.session.flush()
        message = db.session.scalars(db.select(OutboxMessage).filter_by(template="consultation_invitation")
                                     .order_by(OutboxMessage.id.desc())).first()
        return {"url": message.personalisation["url"], "review_id": review.id, "child_id": child.id,
                "consultation_id": consultation.id}

    return server.run(make)


def _stored(server, consultation_id: int) -> dict:
    def read() -> dict:
        from portal.consultation.models import ConsultationAnswer, ParentConsultation

        rows = db.session.scalars(db.select(ConsultationAnswer).filter_by(consultation_id=consultation_id)).all()
        answers = {r.question_key: r.value_choice if r.value_choice is not None else r.value_text for r in rows}
        return {"answers": answers, "sent": db.session.get(ParentConsultation, consultation_id).submitted_at is not None}

    return server.run(read)


def _submit(journey: Journey) -> None:
    """The page's main form button, whatever the language."""
    journey._navigate(journey.page.locator("main form button[type=submit]").last)


def _in(language: str):
    """The page's words in the language it is shown in (from the portal's own catalogue)."""
    catalogue = Translations.load(str(Path(__file__).resolve().parents[2] / "translations"), [language])
    return catalogue.gettext


@pytest.mark.parametrize("language", ["en", "cy"])
def test_a_parent_gives_their_views_on_a_phone(live_server, open_browser, js_enabled, language):
    link = _parent_link(live_server, name=f"Maya{language}{int(js_enabled)}")
    parent = open_browser(js=js_enabled)
    tag = f"{language}-{'js' if js_enabled else 'nojs'}"
    parent.goto(link["url"])
    if language == "cy":
        parent.welsh()
        expect(parent.page.locator("html")).to_have_attribute("lang", "cy")
    parent.no_horizontal_scroll()
    parent.screenshot(f"consultation-landing-{tag}-375")
    _submit(parent)  # Start

    assert parent.page.url.endswith("/parent-views")
    say = _in(language)
    parent.fill(say("What is going well?"), "Maya is settled and happy at school")
    parent.fill(say("What worries you?"), "=Family time was cancelled twice 😟 مرحبا")
    parent.page.get_by_role("group", name=say("Will you come to the review meeting?")) \
        .get_by_role("radio", name=say("Yes, online or by phone")).check()
    parent.choose(say("An interpreter"))
    parent.fill(say("If you need an interpreter, which language?"), "Polish")
    parent.no_horizontal_scroll()
    parent.screenshot(f"consultation-form-{tag}-375")
    _submit(parent)  # Continue

    assert parent.page.url.endswith("/parent-views/check")
    expect(parent.page.get_by_text("=Family time was cancelled twice 😟 مرحبا")).to_be_visible()
    parent.no_horizontal_scroll()
    parent.screenshot(f"consultation-check-{tag}-375")
    _submit(parent)  # Send to the IRO

    assert parent.page.url.endswith("/parent-views/sent")
    parent.no_horizontal_scroll()
    parent.screenshot(f"consultation-sent-{tag}-375")
    stored = _stored(live_server, link["consultation_id"])
    assert stored["sent"] is True
    assert stored["answers"] == {"going_well": "Maya is settled and happy at school",
                                 "worries": "=Family time was cancelled twice 😟 مرحبا",
                                 "attend": "online", "needs": '["interpreter"]', "language": "Polish"}


def test_a_too_long_answer_is_refused_and_the_words_stay_on_the_page(live_server, open_browser, js_enabled):
    link = _parent_link(live_server, name=f"Long{int(js_enabled)}")
    parent = open_browser(js=js_enabled)
    parent.goto(link["url"])
    _submit(parent)
    parent.fill("What do you want the review to talk about?", LONG)
    _submit(parent)
    expect(parent.page.get_by_role("alert").or_(parent.page.locator(".govuk-error-summary")).first).to_be_visible()
    assert parent.page.get_by_label("What do you want the review to talk about?").input_value() == LONG.strip()
    parent.no_horizontal_scroll()
    parent.screenshot(f"consultation-too-long-{'js' if js_enabled else 'nojs'}-375")
    assert _stored(live_server, link["consultation_id"])["answers"] == {}


def test_closed_and_unknown_links_are_plain_pages(live_server, open_browser):
    link = _parent_link(live_server, name="Closed")

    def hold() -> None:
        from datetime import timedelta

        from portal.reviews.models import Review
        from portal.reviews.services import record_held
        from portal.timeutil import utcnow

        record_held(db.session.get(Review, link["review_id"]), utcnow() - timedelta(hours=1))

    live_server.run(hold)
    parent = open_browser(js=False)
    parent.goto(link["url"])
    assert parent.heading() == "This form is closed"
    parent.screenshot("consultation-closed-375")
    response = parent.goto("/l/this-is-not-a-link")
    assert response.status == 404 and parent.heading() == "This link does not work"


def test_the_iro_asks_a_carer_and_reads_the_views(live_server, open_browser):
    link = _parent_link(live_server, name="Noor")
    parent = open_browser()
    parent.goto(link["url"])
    _submit(parent)
    parent.fill("What worries you?", "Noor misses her brother")
    _submit(parent)
    _submit(parent)

    iro = open_browser()
    iro.sign_in(*IRO)
    iro.goto(f"/children/{link['child_id']}")
    panel = iro.page.locator(f"#parents-{link['review_id']}")
    expect(panel.get_by_text("Sent back")).to_be_visible()
    panel.get_by_label("Who are they to the child?").fill("Foster carer")
    panel.get_by_label("Text message").check()
    panel.get_by_label("Email address or UK mobile number").fill("07700 900 321")
    iro._navigate(panel.get_by_role("button", name="Send them a link"))
    panel = iro.page.locator(f"#parents-{link['review_id']}")
    expect(panel.get_by_text("Foster carer", exact=True)).to_be_visible()
    expect(panel.get_by_text("07••• ••• 321")).to_be_visible()
    iro.screenshot("consultation-iro-panel-375")
    iro._navigate(panel.get_by_role("link", name="Read their views (Mum)"))
    assert iro.heading() == "Views of Mum"
    expect(iro.page.get_by_text("Noor misses her brother")).to_be_visible()
    iro.screenshot("consultation-iro-read-375")


def test_without_their_link_session_a_parent_sees_the_lock_page(live_server, open_browser, js_enabled):
    link = _parent_link(live_server, name=f"Lock{int(js_enabled)}")
    parent = open_browser(js=js_enabled)
    parent.goto(link["url"])
    _submit(parent)
    parent.fill("What worries you?", "Written on a shared phone")
    parent.page.context.clear_cookies()
    _submit(parent)
    assert parent.heading() == "Open your link again"
    expect(parent.page.get_by_text("Written on a shared phone")).to_have_count(0)
    parent.screenshot(f"consultation-locked-{'js' if js_enabled else 'nojs'}-375")
    response = parent.goto("/parent-views")
    assert response.status == 401 and parent.heading() == "Open your link again"

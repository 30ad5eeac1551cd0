"""A child's words of harm reach a person, on a phone: the safeguarding issue's 'Must show'."""

from __future__ import annotations

import time

from playwright.sync_api import expect

from portal.extensions import db
from tests.journeys.conftest import IRO
from tests.journeys.test_booklet_journeys import answer_choice, answer_text, save_and_continue, start

DISCLOSURE = "my carer's son hits me when nobody is home and sometimes I want to kill myself"
WORRIES = "Is anything worrying you, or is anything not going well?"


def _outbox(server, review_id: int) -> list[tuple[str, str, dict]]:
    from portal.outbox.models import OutboxMessage

    def read():
        return [(m.template, m.recipient, dict(m.personalisation)) for m in db.session.scalars(
            db.select(OutboxMessage).filter_by(review_id=review_id).order_by(OutboxMessage.id))]

    return server.run(read)


def _messages(server, review_id: int) -> list[str]:
    from portal.safeguarding.models import ChildMessage

    return server.run(lambda: list(db.session.scalars(
        db.select(ChildMessage.body).filter_by(review_id=review_id))))


def test_a_disclosure_with_i_feel_safe_ticked_reaches_the_iro_and_outlives_deleting(live_server, open_browser,
                                                                                   js_enabled):
    name = "Jade js" if js_enabled else "Jade no-js"
    link = live_server.booklet_link(age=15, name=name)
    child = open_browser(js=js_enabled)
    start(child, link)
    child.goto("/booklet/worries")
    answer_choice(child, "Do you feel safe where you live?", "Yes, I feel safe")
    answer_text(child, WORRIES, DISCLOSURE)
    child.screenshot("safeguarding-disclosure-typed")
    save_and_continue(child, "Help")

    # The help box opens on the next page, with who to call now.
    help_box = child.page.locator("details.portal-help")
    expect(help_box).to_have_attribute("open", "")
    expect(help_box).to_contain_text("Childline")
    expect(help_box).to_contain_text("Meic")
    child.no_horizontal_scroll()
    child.screenshot("safeguarding-help-open")

    # Already in the outbox: a notice to the IRO and one to the duty inbox, neither with the child's words.
    notices = [n for n in _outbox(live_server, link.review_id) if n[0] == "urgent_notice"]
    assert sorted(n[1] for n in notices) == sorted([IRO[0], "iro.duty@example.org"])
    for _template, _recipient, personalisation in notices:
        assert set(personalisation) == {"url"}
        assert "kill" not in str(personalisation) and name not in str(personalisation)

    iro = open_browser(js=js_enabled)
    iro.sign_in(*IRO)
    iro.goto(f"/reviews/{link.review_id}/booklet")
    headings = iro.page.get_by_role("heading", level=2).all_inner_texts()
    assert headings[0] == "Urgent: read this first", headings
    urgent = iro.page.locator("#urgent")
    marked = urgent.locator("mark").all_inner_texts()
    assert "kill myself" in marked and "hits me" in marked, marked
    iro.screenshot("safeguarding-iro-concern")

    # The child deletes everything she wrote.
    child.follow("My answers: see, download or delete them", exact=True)
    child.follow("Delete everything I wrote", exact=True)
    expect(child.page.get_by_text("(the person who runs your meeting) already knows", exact=False)).to_be_visible()
    child.screenshot("safeguarding-withdraw")
    child.press("Yes, delete everything I wrote", exact=True)
    assert child.heading() == "Everything you wrote is deleted"
    expect(child.page.get_by_text("already knows, and that stays", exact=False)).to_be_visible()

    iro.goto(f"/reviews/{link.review_id}/booklet")
    assert iro.page.get_by_role("heading", level=2).all_inner_texts()[0] == "Urgent: read this first"
    expect(iro.page.locator("#urgent")).to_contain_text(DISCLOSURE)
    expect(iro.page.locator("#urgent")).to_contain_text("The child has since deleted these words")
    expect(iro.page.get_by_text("The child withdrew what they wrote.")).to_be_visible()


def test_a_message_typed_over_the_idle_lock_is_delivered_exactly_once(make_live_server, open_browser, js_enabled):
    server = make_live_server(CHILD_IDLE_MINUTES=0.05)  # three seconds
    link = server.booklet_link(age=14, name="Kai")
    child = open_browser(js=js_enabled, server=server)
    start(child, link)
    child.goto("/my-iro")
    child.follow("Send my IRO a message", exact=True)
    assert child.heading() == "Tell your IRO (the person who runs your meeting) something"
    words = "I have been thinking about this for a long time and I want to tell you about school"
    child.fill("What do you want to tell your IRO?", words)
    time.sleep(4)  # the child stops to think: the page's session locks
    child.press("Send to my IRO", exact=True)
    assert child.heading() == "Your message is sent"
    expect(child.page.get_by_text(words)).to_have_count(0)
    assert _messages(server, link.review_id) == [words]

    # Back, and Send again (or a second tap): still one message, one notice.
    child.page.go_back()
    if child.page.get_by_role("button", name="Send to my IRO").count():
        child.press("Send to my IRO", exact=True)
    assert _messages(server, link.review_id) == [words]
    notices = [n for n in _outbox(server, link.review_id) if n[0] == "child_message_notice"]
    assert len(notices) == 1 and set(notices[0][2]) == {"url"}

"""The IRO's writing pages: the form posted with every button, autosave and the live check as JSON,
corrections, the history with the differences, who may see them, escaping, and an expired token."""

from __future__ import annotations

import re
import time
from datetime import date, datetime, timedelta
from datetime import time as clock
from pathlib import Path

import pytest

from portal.audit.models import AuditEvent
from portal.booklet.models import Booklet, BookletAnswer, SectionSharing
from portal.extensions import db
from portal.letters import services
from portal.letters.models import TEXT_FIELDS, LetterVersion
from portal.timeutil import LONDON, today
from tests import factories as f

NOTIFY_EXISTS = (Path(__file__).resolve().parents[2] / "portal" / "letters" / "notify.py").exists()


def held_review(iro=None, *, shared=True, age=10, **child_fields):
    """A held review (three days ago) whose booklet shared 'Good news' and held back 'Worries'."""
    iro = iro or f.staff("iro", name="Priya Shah")
    child = f.child(iro, preferred_name=child_fields.pop("preferred_name", "Ellie"), age=age, **child_fields)
    when = datetime.combine(today() - timedelta(days=3), clock(10), tzinfo=LONDON)
    review = f.review(child, status="held", meeting_at=when, held_at=when)
    if shared:
        booklet = Booklet(review_id=review.id, version="12-17", question_set="12-17/1")
        db.session.add(booklet)
        db.session.flush()
        db.session.add_all([
            BookletAnswer(booklet_id=booklet.id, question_set="12-17/1", section="good_news",
                          question_key="good_news", state="answered", value_text="I got into the football team"),
            BookletAnswer(booklet_id=booklet.id, question_set="12-17/1", section="worries",
                          question_key="worries", state="tell_iro"),
            BookletAnswer(booklet_id=booklet.id, question_set="12-17/1", section="next",
                          question_key="next", state="answered", value_text="not shared words"),
            SectionSharing(booklet_id=booklet.id, section="good_news", social_worker=True),
        ])
        db.session.flush()
    db.session.commit()
    return review, iro


def page_fields(client, url: str) -> dict:
    """The writing form's hidden fields and texts as the page shows them."""
    page = client.get(url).get_data(as_text=True)
    fields = {name: value for name, value in re.findall(r'<input type="hidden" name="([^"]+)"[^>]*value="([^"]*)"',
                                                         page)}
    for name in TEXT_FIELDS:
        match = re.search(rf'<textarea [^>]*name="{name}"[^>]*>(.*?)</textarea>', page, re.S)
        fields[name] = _unescape(match.group(1)) if match else ""
    return fields


def _unescape(text: str) -> str:
    import html

    return html.unescape(text)


def signed_in(client, review, iro):
    f.sign_in(client, iro)
    return f"/reviews/{review.id}/letter"


def the_draft(review) -> LetterVersion:
    db.session.expire_all()
    return services.current_draft(review)


# --- The page and its pre-filled draft -----------------------------------------------------------------

def test_the_writing_page_pre_fills_what_the_child_shared(app, client):
    review, iro = held_review()
    url = signed_in(client, review, iro)
    response = client.get(url)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Good news: I got into the football team" in page
    assert "Worries: you said you would rather tell me yourself" in page
    assert "not shared words" not in page
    assert "Dear Ellie" in page and "Save draft" in page and "Check my letter" in page and "Issue the letter" in page
    assert "Back to Ellie" in page or "Back to <bdi>Ellie</bdi>" in page
    # Three blank action rows, and no reason box for version 1.
    assert 'name="action-3-what"' in page and 'name="action-4-what"' not in page
    assert 'name="reason"' not in page
    assert "See earlier versions" not in page


def test_a_review_not_held_has_no_letter_yet(app, client):
    iro = f.staff("iro")
    review = f.review(f.child(iro))
    db.session.commit()
    url = signed_in(client, review, iro)
    page = client.get(url).get_data(as_text=True)
    assert "written after the review is held" in page and "Save draft" not in page
    assert services.current_draft(review) is None
    token = f.csrf_token(client, url)
    assert client.post(url, data={"csrf_token": token, "going_well": "x", "do": "save"}).status_code == 409


def test_another_iro_and_an_administrator_get_nothing(app, client):
    review, _iro = held_review()
    services.issue(services.draft(review, review.iro), review.iro)
    db.session.commit()
    other = f.staff("iro")
    db.session.commit()
    f.sign_in(client, other)
    base = f"/reviews/{review.id}/letter"
    for url in (base, f"{base}/history", f"{base}/v/1"):
        assert client.get(url).status_code == 404
    token = f.session_csrf_token(client)
    headers = {"X-CSRFToken": token}
    assert client.post(f"{base}/autosave", json={"counter": 1, "fields": {}}, headers=headers).status_code == 404
    assert client.post(f"{base}/check", json={"field": "worries", "text": "x"}, headers=headers).status_code == 404
    assert client.post(f"{base}/correct", data={"csrf_token": token}).status_code == 404
    admin_client = app.test_client()
    admin = f.staff("admin")
    db.session.commit()
    f.sign_in(admin_client, admin)
    assert admin_client.get(base).status_code == 403


def test_a_manager_may_write_and_read(app, client):
    review, _iro = held_review()
    manager = f.staff("manager")
    db.session.commit()
    f.sign_in(client, manager)
    assert client.get(f"/reviews/{review.id}/letter").status_code == 200
    assert client.get(f"/reviews/{review.id}/letter/history").status_code == 200


# --- Posting the form -----------------------------------------------------------------------------

def test_save_draft_keeps_the_words_and_the_actions(app, client):
    review, iro = held_review()
    url = signed_in(client, review, iro)
    fields = page_fields(client, url)
    response = client.post(url, data={**fields, "going_well": "You are doing well at school.", "do": "save",
                                      "action-1-what": "Ask about football boots", "action-1-who": "Your carer",
                                      "action-1-by_when": "2026-07-31", "action-2-what": "",
                                      "action-3-what": "Visit Gran", "action-3-by_when": "14/8/2026"})
    assert response.status_code == 303
    draft = the_draft(review)
    assert draft.going_well == "You are doing well at school."
    assert [(a.what, a.who, a.by_when) for a in draft.actions] == [
        ("Ask about football boots", "Your carer", date(2026, 7, 31)), ("Visit Gran", "", date(2026, 8, 14))]
    page = client.get(url).get_data(as_text=True)
    assert "Draft saved." in page and "Visit Gran" in page and 'value="2026-08-14"' in page


def test_a_date_that_is_not_one_saves_the_words_and_says_so(app, client):
    review, iro = held_review()
    url = signed_in(client, review, iro)
    fields = page_fields(client, url)
    response = client.post(url, data={**fields, "worries": "Nothing big.", "do": "save",
                                      "action-1-what": "Call", "action-1-by_when": "next week"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "check the dates" in page and "next week" in page
    assert the_draft(review).worries == "Nothing big."


def test_add_another_row_re_renders_with_one_more_row(app, client):
    review, iro = held_review()
    url = signed_in(client, review, iro)
    fields = page_fields(client, url)
    response = client.post(url, data={**fields, "do": "add_row", "going_well": "Kept words",
                                      "action-1-what": "One", "action-2-what": "", "action-3-what": ""})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'name="action-4-what"' in page and 'name="action-5-what"' not in page
    assert "Kept words" in page
    assert the_draft(review).going_well == "Kept words"


def test_check_my_letter_lists_the_plain_words_findings_and_changes_nothing(app, client):
    review, iro = held_review(words_to_use="family time with Mum, not contact")
    url = signed_in(client, review, iro)
    fields = page_fields(client, url)
    text = "Your placement is going well and contact with Mum is every week."
    response = client.post(url, data={**fields, "going_well": text, "do": "check"})
    assert response.status_code == 200
    page = _unescape(response.get_data(as_text=True))
    assert "'placement' — try 'home, where you live'" in page
    assert "'contact' — try 'family time with Mum'" in page
    assert "reading ease" in page
    assert the_draft(review).going_well == text


def test_issue_then_correct_with_and_without_a_reason(app, client):
    review, iro = held_review()
    url = signed_in(client, review, iro)
    fields = page_fields(client, url)
    response = client.post(url, data={**fields, "going_well": "You are doing well.", "do": "issue",
                                      "tell_channel": "none"})
    assert response.status_code == 303 and response.headers["Location"].endswith(f"{url}/history")
    history = client.get(f"{url}/history").get_data(as_text=True)
    assert "The letter is issued" in history and "Version 1" in history and "Priya Shah" in history
    assert services.latest_issued(review).going_well == "You are doing well."
    # Start a correction from the history page.
    token = f.csrf_token(client, f"{url}/history")
    assert client.post(f"{url}/correct", data={"csrf_token": token}).status_code == 303
    fields = page_fields(client, url)
    page = client.get(url).get_data(as_text=True)
    assert fields["version_number"] == "2" and 'name="reason"' in page and "See earlier versions" in page
    assert fields["going_well"] == "You are doing well."
    # Without a reason: refused, the words kept.
    response = client.post(url, data={**fields, "going_well": "You are doing really well.", "do": "issue"})
    assert response.status_code == 400
    assert "Say why the letter is being corrected" in response.get_data(as_text=True)
    assert "You are doing really well." in response.get_data(as_text=True)
    assert services.latest_issued(review).number == 1
    # With a reason.
    fields = page_fields(client, url)
    response = client.post(url, data={**fields, "do": "issue", "reason": "Spelt the school wrong"})
    assert response.status_code == 303
    latest = services.latest_issued(review)
    assert latest.number == 2 and latest.correction_reason == "Spelt the school wrong"
    history = client.get(f"{url}/history").get_data(as_text=True)
    assert "Spelt the school wrong" in history
    assert "<del" in history and "<ins" in history and "Removed:" in history and "Added:" in history
    assert "You are doing really well." in history
    assert db.session.scalar(db.select(db.func.count()).select_from(AuditEvent)
                             .filter_by(action="letter_read_by_staff")) >= 1
    # Opening the writing page of an issued letter starts nothing.
    page = client.get(url).get_data(as_text=True)
    assert "Correct the letter" in page and services.current_draft(review) is None
    version_one = client.get(f"{url}/v/1").get_data(as_text=True)
    assert "You are doing well." in version_one and "A newer version (2) replaced this one." in version_one
    assert client.get(f"{url}/v/3").status_code == 404


def test_correcting_before_anything_is_issued_keeps_the_draft(app, client):
    review, iro = held_review()
    url = signed_in(client, review, iro)
    client.get(url)
    token = f.csrf_token(client, url)
    assert client.post(f"{url}/correct", data={"csrf_token": token}).status_code == 303
    assert the_draft(review).number == 1


@pytest.mark.skipif(not NOTIFY_EXISTS, reason="portal/letters/notify.py is not written yet")
def test_issuing_can_tell_the_child_and_a_bad_address_issues_nothing(app, client):
    review, iro = held_review()
    url = signed_in(client, review, iro)
    fields = page_fields(client, url)
    response = client.post(url, data={**fields, "do": "issue", "tell_channel": "email",
                                      "tell_address": "not an address"})
    assert response.status_code == 400
    assert services.latest_issued(review) is None
    response = client.post(url, data={**page_fields(client, url), "do": "issue", "tell_channel": "sms",
                                      "tell_address": ""})
    assert response.status_code == 400 and 'id="tell_address"' in response.get_data(as_text=True)
    assert services.latest_issued(review) is None
    response = client.post(url, data={**page_fields(client, url), "do": "issue", "tell_channel": "email",
                                      "tell_address": "ellie@example.org"})
    assert response.status_code == 303
    assert services.latest_issued(review) is not None
    from portal.outbox.models import OutboxMessage

    assert db.session.scalar(db.select(db.func.count()).select_from(OutboxMessage)) == 1


def test_a_stale_page_is_a_conflict_that_keeps_what_was_typed(app, client):
    review, iro = held_review()
    url = signed_in(client, review, iro)
    stale = page_fields(client, url)
    # Another tab saves first.
    fresh = page_fields(client, url)
    assert client.post(url, data={**fresh, "worries": "Their newer words", "do": "save"}).status_code == 303
    response = client.post(url, data={**stale, "worries": "My words typed meanwhile", "do": "save"})
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "another tab" in page and "Their newer words" in page and "My words typed meanwhile" in page
    assert the_draft(review).worries == "Their newer words"
    # Saving again (having seen theirs) saves mine.
    again = page_fields(client, url)
    assert client.post(url, data={**stale, "version_counter": again["version_counter"],
                                  "worries": "My words typed meanwhile", "do": "save"}).status_code == 303
    assert the_draft(review).worries == "My words typed meanwhile"


# --- JSON: autosave and the live check ----------------------------------------------------------------

def test_autosave_saves_and_refuses_a_stale_counter_and_an_issued_version(app, client):
    review, iro = held_review()
    url = signed_in(client, review, iro)
    fields = page_fields(client, url)
    headers = {"X-CSRFToken": fields["csrf_token"]}
    counter = int(fields["version_counter"])
    saved = client.post(f"{url}/autosave", headers=headers, json={
        "counter": counter, "number": 1, "fields": {"going_well": "Typed as I go"},
        "actions": [{"what": "Ring school", "who": "Me", "by_when": "2026-09-01"}]})
    assert saved.status_code == 200
    body = saved.get_json()
    assert body["status"] == "saved" and body["counter"] == counter + 1 and body["actions_saved"] is True
    draft = the_draft(review)
    assert draft.going_well == "Typed as I go" and draft.actions[0].by_when == date(2026, 9, 1)
    stale = client.post(f"{url}/autosave", headers=headers, json={"counter": counter, "fields": {"going_well": "old"}})
    assert stale.status_code == 409
    assert stale.get_json()["status"] == "conflict" and stale.get_json()["counter"] == counter + 1
    assert the_draft(review).going_well == "Typed as I go"
    too_long = client.post(f"{url}/autosave", headers=headers,
                           json={"counter": counter + 1, "fields": {"worries": "x" * (services.MAX_FIELD_CHARS + 1)}})
    assert too_long.status_code == 422 and too_long.get_json()["status"] == "too_long"
    for bad in ({"counter": "1", "fields": {}}, {"counter": 1, "fields": {"nope": "x"}}, ["not", "a", "dict"]):
        assert client.post(f"{url}/autosave", headers=headers, json=bad).status_code == 400
    services.issue(the_draft(review), iro)
    db.session.commit()
    issued = client.post(f"{url}/autosave", headers=headers,
                         json={"counter": counter + 2, "number": 1, "fields": {"going_well": "after issue"}})
    assert issued.status_code == 409 and issued.get_json()["status"] == "conflict"
    assert services.latest_issued(review).going_well == "Typed as I go"


def test_the_live_check_answers_with_findings(app, client):
    review, iro = held_review(words_to_use="family time with Mum, not contact")
    url = signed_in(client, review, iro)
    headers = {"X-CSRFToken": page_fields(client, url)["csrf_token"]}
    text = "We talked about your placement and contact."
    response = client.post(f"{url}/check", headers=headers, json={"field": "going_well", "text": text})
    assert response.status_code == 200
    body = response.get_json()
    found = {item["found"]: item for item in body["jargon"]}
    assert text[found["placement"]["start"]:found["placement"]["end"]] == "placement"
    assert "where you live" in found["placement"]["options"]
    assert found["contact"]["child_words"] == ["family time with Mum"]
    assert found["contact"]["options"][0] == "family time with Mum"
    assert {"long_sentences", "reading_ease", "target", "met"} <= set(body)
    assert client.post(f"{url}/check", headers=headers, json={"field": "nope", "text": ""}).status_code == 400


# --- Escaping -----------------------------------------------------------------------------------

MARKUP = "<script>alert(1)</script> <b>x</b>"


def test_markup_typed_into_every_field_is_shown_as_text(app, client):
    review, iro = held_review(preferred_name="<b>Name</b>")
    url = signed_in(client, review, iro)
    fields = page_fields(client, url)
    data = {**fields, **{name: f"{name} {MARKUP}" for name in TEXT_FIELDS}, "do": "save",
            "action-1-what": f"what {MARKUP}", "action-1-who": f"who {MARKUP}"}
    assert client.post(url, data=data).status_code == 303
    for page in (client.get(url).get_data(as_text=True),):
        assert "<script>alert(1)</script>" not in page and "<b>x</b>" not in page and "<b>Name</b>" not in page
        assert page.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= len(TEXT_FIELDS) + 2
    assert client.post(url, data={**page_fields(client, url), "do": "issue"}).status_code == 303
    token = f.csrf_token(client, f"{url}/history")
    client.post(f"{url}/correct", data={"csrf_token": token})
    fields = page_fields(client, url)
    data = {**fields, **{name: f"{name} changed {MARKUP}" for name in TEXT_FIELDS}, "do": "issue",
            "reason": f"reason {MARKUP}", "action-1-what": f"what changed {MARKUP}"}
    assert client.post(url, data=data).status_code == 303
    for path in (f"{url}/history", f"{url}/v/1", f"{url}/v/2"):
        page = client.get(path).get_data(as_text=True)
        assert "<script>alert(1)</script>" not in page and "<b>x</b>" not in page and "<b>Name</b>" not in page, path
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page, path
    check = client.post(url, data={**page_fields(client, url), "do": "check"}) if services.current_draft(review) \
        else None
    assert check is None or "<script>alert(1)</script>" not in check.get_data(as_text=True)


# --- A security token that ran out -------------------------------------------------------------------

class TestAnExpiredToken:
    @pytest.fixture
    def app_overrides(self):
        return {"WTF_CSRF_TIME_LIMIT": 1}

    def test_words_posted_past_the_token_hour_are_saved(self, app, client):
        review, iro = held_review()
        url = signed_in(client, review, iro)
        fields = page_fields(client, url)
        time.sleep(1.5)
        response = client.post(url, data={**fields, "going_well": "Typed over a long phone call", "do": "save"})
        assert response.status_code == 303
        assert the_draft(review).going_well == "Typed over a long phone call"
        autosaved = client.post(f"{url}/autosave", headers={"X-CSRFToken": fields["csrf_token"]},
                                json={"counter": the_draft(review).version_counter,
                                      "fields": {"worries": "Still saving"}})
        assert autosaved.status_code == 200
        assert the_draft(review).worries == "Still saving"

    def test_a_forged_token_saves_nothing(self, app, client):
        review, iro = held_review()
        url = signed_in(client, review, iro)
        fields = page_fields(client, url)
        response = client.post(url, data={**fields, "csrf_token": "forged", "going_well": "Kept on the page",
                                          "do": "save"})
        assert response.status_code == 400
        assert the_draft(review).going_well == ""


def test_a_part_too_long_is_refused_and_every_word_kept(app, client):
    review, iro = held_review()
    url = signed_in(client, review, iro)
    fields = page_fields(client, url)
    long_text = "word " * (services.MAX_FIELD_CHARS // 5 + 1)
    response = client.post(url, data={**fields, "worries": long_text, "going_well": "Short and kept", "do": "save"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Short and kept" in page and long_text.strip() in page
    assert the_draft(review).going_well == ""

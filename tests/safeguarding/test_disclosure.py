"""A child's words of harm reach a person at once, and are never lost when the child edits or deletes them."""

from __future__ import annotations

from portal.audit.models import AuditEvent
from portal.booklet.models import BookletAnswer
from portal.extensions import db
from portal.outbox.models import OutboxMessage
from portal.outbox.services import render_text
from portal.safeguarding.models import UrgentConcern
from tests import factories as f
from tests.test_booklet_child import _answers, _child, _load, _post_section, _start

DISCLOSURE = "my carer's son hits me when nobody is home and sometimes I want to kill myself"


def _iro_page(client, review) -> str:
    page = client.get(f"/reviews/{review.id}/booklet")
    assert page.status_code == 200
    return page.get_data(as_text=True)


def test_a_disclosure_with_i_feel_safe_ticked_raises_a_concern_in_the_same_request(app, client):
    review, path = _child(age=15, name="Jade")
    _start(client, path)
    response = _post_section(client, "worries", {"feel_safe": "yes", "worries": DISCLOSURE})
    assert response.status_code == 303

    # The help box opens on the next page, with who will be told.
    after = client.get(response.headers["Location"]).get_data(as_text=True)
    assert '<details class="govuk-details portal-help" open>' in after
    assert "Your IRO will be told today" in after

    # In the same request: one concern with a snapshot and its categories, notices to the IRO and duty inbox.
    concern = db.session.scalar(db.select(UrgentConcern))
    assert concern is not None and concern.reason == "word_list"
    assert concern.snapshot_text == DISCLOSURE
    assert {"suicide_self_harm", "physical_harm"} <= set(concern.category_list)
    matched = {DISCLOSURE[m["start"]:m["end"]].lower() for m in concern.snapshot_matches}
    assert "kill myself" in matched and any("hits me" in word for word in matched)
    notices = db.session.scalars(db.select(OutboxMessage).filter_by(template="urgent_notice")).all()
    assert sorted(n.recipient for n in notices) == sorted([review.iro.email, "duty@example.org"])
    for notice in notices:
        text = render_text(notice)
        assert "Jade" not in text and "kill" not in text and "hits" not in text
        assert set(notice.personalisation) == {"url"}
    assert _answers(review)["worries"].urgent


def test_the_iro_sees_the_concern_first_with_the_words_marked_and_it_outlives_withdrawal(app, client):
    review, path = _child(age=15, name="Jade")
    _start(client, path)
    _post_section(client, "worries", {"feel_safe": "yes", "worries": DISCLOSURE})
    _post_section(client, "good_news", {"good_news": "I got into the football team"})

    staff = app.test_client()
    f.sign_in(staff, review.iro)
    page = _iro_page(staff, review)
    assert page.index("Urgent: read this first") < page.index("I got into the football team")
    assert '<mark class="portal-match">kill myself</mark>' in page
    assert '<mark class="portal-match">hits me</mark>' in page

    # The child deletes everything: the page told her the IRO already knows.
    text, hidden = _load(client, "/booklet/withdraw")
    assert "your IRO (the person who runs your meeting) already knows" in text
    done = client.post("/booklet/withdraw", data={"csrf_token": hidden["csrf_token"]})
    assert done.status_code == 303
    assert "already knows, and that stays" in client.get(done.headers["Location"]).get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(BookletAnswer.id))) == 0

    page = _iro_page(staff, review)
    assert "Urgent: read this first" in page
    assert '<mark class="portal-match">kill myself</mark>' in page
    assert "The child has since deleted these words" in page
    concern = db.session.scalar(db.select(UrgentConcern))
    assert concern.snapshot_text == DISCLOSURE and concern.source_removed_at is not None
    # Reading it is on the record.
    assert db.session.scalar(db.select(AuditEvent).filter_by(action="read", record_type="urgent_concern",
                                                            record_id=concern.id)) is not None


def test_an_unsafe_choice_then_deleted_still_shows_what_she_chose(app, client):
    review, path = _child(age=12, name="Mia")
    _start(client, path)
    _post_section(client, "worries", {"feel_safe": "no", "worries": "my foster dad shouts"})
    _, hidden = _load(client, "/booklet/withdraw")
    client.post("/booklet/withdraw", data={"csrf_token": hidden["csrf_token"]})

    staff = app.test_client()
    f.sign_in(staff, review.iro)
    page = _iro_page(staff, review)
    assert "The child said they do not always feel safe." in page
    assert "Do you feel safe where you live?" in page and "No, I do not feel safe" in page


def test_editing_the_words_keeps_the_snapshot_and_shows_the_change(app, client):
    review, path = _child(age=14, name="Leo")
    _start(client, path)
    _post_section(client, "worries", {"worries": "i want to kill myself"})
    _post_section(client, "worries", {"worries": "nothing really, school is ok"})
    concern = db.session.scalar(db.select(UrgentConcern))
    assert concern.snapshot_text == "i want to kill myself"
    assert concern.latest_text == "nothing really, school is ok"
    assert db.session.scalar(db.select(db.func.count(UrgentConcern.id))) == 1

    staff = app.test_client()
    f.sign_in(staff, review.iro)
    page = _iro_page(staff, review)
    assert '<mark class="portal-match">kill myself</mark>' in page
    assert "The child changed these words" in page and "nothing really, school is ok" in page


def test_a_childs_markup_is_shown_as_text_never_as_html(app, client):
    review, path = _child(age=14, name="Leo")
    _start(client, path)
    _post_section(client, "worries", {"worries": '<b onmouseover="x()">i want to kill myself</b>'})
    staff = app.test_client()
    f.sign_in(staff, review.iro)
    page = _iro_page(staff, review)
    assert "<b onmouseover" not in page
    assert "&lt;b onmouseover=" in page
    urgent = staff.get("/urgent").get_data(as_text=True)
    assert "<b onmouseover" not in urgent and '<mark class="portal-match">kill myself</mark>' in urgent


def test_a_deactivated_iros_child_reaches_the_team_managers_and_the_duty_inbox(app, client):
    team = f.team()
    iro = f.staff("iro", team=team)
    manager = f.staff("manager", team=team)
    f.staff("manager", team=f.team())  # another team's manager is not told
    review = f.review(f.child(iro, age=13))
    from portal.booklet.services import issue_booklet_link

    url, _ = issue_booklet_link(review)
    iro.active = False
    db.session.commit()
    _start(client, url.removeprefix("http://localhost"))
    _post_section(client, "worries", {"worries": "he punched me in the face"})

    recipients = sorted(m.recipient for m in db.session.scalars(
        db.select(OutboxMessage).filter_by(template="urgent_notice")))
    assert recipients == sorted([manager.email, "duty@example.org"])
    assert iro.email not in recipients
